#!/usr/bin/python3
"""Runs Nod's benchmarks and prints one table of their figures (bench/README.md).

    bench/run.py [--build _build] [--rounds 3] [--latency 0 20] [--only NAME…]
                 [--drain-mrs 200] [--json FILE] [--list]

Builds nothing: it runs what the build directory holds. Every round runs every benchmark
once at every latency, Nod then its comparison, so both meet the same machine at the same
moments. The benchmark programs of the build (meson's benchmarks, `_build/tests/bench-*`)
are found through `meson introspect` and their "# result" lines read; the command-line
ones (bench/cli_benchmarks.py) start the fake GitLab themselves. A benchmark that fails,
or a check that fails, is shown in the table as such, and the exit status is 1.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ left in the source tree

import cli_benchmarks  # noqa: E402

RESULT_PREFIX = "# result "


# ---- the benchmark programs meson knows ----

def meson_benchmarks(build):
    """meson's benchmarks whose program is one of the build's tests/bench-* programs."""
    out = subprocess.run(["meson", "introspect", "--benchmarks", build], check=True,
                         capture_output=True, text=True).stdout
    found = {}
    for benchmark in json.loads(out):
        program = benchmark["cmd"][0]
        if os.path.basename(program).startswith("bench-") and os.path.exists(program):
            found[benchmark["name"]] = benchmark
    return found


def parse_results(stdout):
    figures = []
    for line in stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            figures.append(json.loads(line[len(RESULT_PREFIX):]))
    return figures


def program_round(benchmark, latency_ms):
    env = dict(os.environ)
    env.update(benchmark.get("env") or {})
    env["NOD_BENCH_LATENCY_MS"] = str(latency_ms)
    timeout = benchmark.get("timeout") or None
    done = subprocess.run(benchmark["cmd"], env=env, cwd=benchmark.get("workdir"),
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 or "\nnot ok" in "\n" + done.stdout:
        tail = (done.stderr.strip() or done.stdout.strip())[-400:]
        raise RuntimeError(f"exit {done.returncode}: {tail}")
    return parse_results(done.stdout)


# ---- running the rounds ----

class Benchmark:
    def __init__(self, name, about, run, latencies=None, rounds=None):
        self.name = name
        self.about = about
        self.run = run              # (latency_ms) -> [figure]
        self.latencies = latencies  # None: every latency asked for
        self.rounds = rounds        # None: every round


def all_benchmarks(build, options):
    benchmarks = []
    for name, (about, round_function, latencies, rounds) in cli_benchmarks.BENCHMARKS.items():
        benchmarks.append(Benchmark(
            name, about,
            lambda latency, f=round_function: f(build, latency, options),
            latencies, rounds))
    for name, benchmark in sorted(meson_benchmarks(build).items()):
        benchmarks.append(Benchmark(
            name, "program " + os.path.basename(benchmark["cmd"][0]) + " " +
            " ".join(benchmark["cmd"][1:]),
            lambda latency, b=benchmark: program_round(b, latency)))
    return benchmarks


def say(text):
    print(text, file=sys.stderr, flush=True)


def run_rounds(benchmarks, rounds, latencies):
    """{(name, latency): [figure, …]}, the failures in the order they ran, and the
    benchmarks that ran well but printed no figure (not yet speaking the protocol)."""
    figures = {}
    failures = []
    silent = set()
    for round_number in range(1, rounds + 1):
        for latency in latencies:
            for benchmark in benchmarks:
                if benchmark.latencies is not None and latency not in benchmark.latencies:
                    continue
                if benchmark.rounds is not None and round_number > benchmark.rounds:
                    continue
                say(f"round {round_number}/{rounds}, {latency} ms: {benchmark.name}")
                started = time.perf_counter()
                try:
                    printed = benchmark.run(latency)
                    if not printed:
                        silent.add(benchmark.name)
                    for figure in printed:
                        figures.setdefault((figure["name"], latency), []).append(figure)
                except cli_benchmarks.benchlib.Incomplete as error:
                    for figure in error.figures:
                        figures.setdefault((figure["name"], latency), []).append(figure)
                    failures.append({"benchmark": benchmark.name, "latency_ms": latency,
                                     "round": round_number, "error": str(error)})
                except Exception as error:  # shown in the table, never hidden
                    traceback.print_exc(file=sys.stderr)
                    failures.append({"benchmark": benchmark.name, "latency_ms": latency,
                                     "round": round_number, "error": str(error)})
                say(f"  {time.perf_counter() - started:.1f} s")
    return figures, failures, sorted(silent)


# ---- the table ----

def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def goal_met(last, nod, comparison):
    """True, False, or None when the figure has no goal (or no figures to judge)."""
    if nod is None:
        return None
    lower = last.get("lower_is_better", True)
    if last.get("ratio_goal") is not None:
        if comparison is None or comparison == 0 or nod == 0:
            return None
        if last.get("ratio_kind") == "at_most_times_comparison":
            return nod <= last["ratio_goal"] * comparison if lower \
                else nod >= comparison / last["ratio_goal"]
        ratio = comparison / nod if lower else nod / comparison
        return ratio >= last["ratio_goal"]
    if last.get("bound") is not None:
        inclusive = str(last.get("goal") or "").lstrip().startswith(("≤", "≥", "<=", ">="))
        bound = last["bound"]
        if lower:
            return nod <= bound if inclusive else nod < bound
        return nod >= bound if inclusive else nod > bound
    return None


def aggregate(figures):
    rows = []
    for (name, latency), runs in figures.items():
        last = runs[-1]
        nod = spread([r.get("nod") for r in runs])
        comparison = spread([r.get("comparison") for r in runs])
        ratio = None
        if nod and comparison and nod["median"] and comparison["median"]:
            ratio = comparison["median"] / nod["median"] if last.get("lower_is_better", True) \
                else nod["median"] / comparison["median"]
        notes = sorted({r["note"] for r in runs if r.get("note")})
        rows.append({
            "name": name, "label": last.get("label", name), "unit": last.get("unit", ""),
            "latency_ms": latency, "rounds": len(runs), "nod": nod,
            "comparison": comparison, "comparison_label": last.get("comparison_label"),
            "ratio": ratio, "goal": last.get("goal"),
            "met": goal_met(last, nod and nod["median"],
                            comparison and comparison["median"]),
            "notes": notes,
            "incomplete": any(n.startswith("INCOMPLETE") for n in notes),
        })
    return rows


def number(value):
    if value is None:
        return "—"
    if float(value).is_integer() and abs(value) >= 1:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def with_spread(s, unit):
    if s is None:
        return "—"
    text = f"{number(s['median'])} {unit}"
    if s["n"] > 1:
        text += f" [{number(s['min'])}–{number(s['max'])}]"
    return text


def ratio_text(ratio):
    if ratio is None:
        return "—"
    return f"{ratio:.2f}×" if ratio >= 0.1 else f"{ratio:.2g}×"


def table(rows, failures, silent):
    header = ["figure", "latency", "Nod median [min–max]", "comparison median [min–max]",
              "ratio", "goal", "met"]
    lines = []
    for row in sorted(rows, key=lambda r: (r["name"], r["latency_ms"])):
        met = {True: "met", False: "MISSED", None: "—"}[row["met"]]
        if row["incomplete"]:
            met = "INCOMPLETE"
        lines.append([row["label"], f"{row['latency_ms']} ms",
                      with_spread(row["nod"], row["unit"]),
                      with_spread(row["comparison"], row["unit"]),
                      ratio_text(row["ratio"]),
                      row["goal"] or "—", met])
    widths = [max(len(str(cells[i])) for cells in [header] + lines)
              for i in range(len(header))]
    out = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for cells in lines:
        out.append("| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |")
    comparisons = {}
    for row in sorted(rows, key=lambda r: r["name"]):
        if row["comparison_label"]:
            names = comparisons.setdefault(row["comparison_label"], [])
            if row["name"] not in names:
                names.append(row["name"])
    if comparisons:
        out.append("")
        out.append("Comparisons:")
        out += [f"- {', '.join(names)}: {comparison}"
                for comparison, names in comparisons.items()]
    notes = {}
    for row in sorted(rows, key=lambda r: (r["name"], r["latency_ms"])):
        for note in row["notes"]:
            names = notes.setdefault((row["latency_ms"], note), [])
            if row["name"] not in names:
                names.append(row["name"])
    if notes:
        out.append("")
        out.append("Notes:")
        out += [f"- {', '.join(names)} at {latency} ms: {note}"
                for (latency, note), names in notes.items()]
    if silent:
        out.append("")
        out.append("Ran, but printed no \"# result\" line: " + ", ".join(silent))
    if failures:
        out.append("")
        out.append(f"FAILED ({len(failures)}):")
        out += [f"- {f['benchmark']} at {f['latency_ms']} ms, round {f['round']}: "
                f"{f['error']}" for f in failures]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default="_build", help="the meson build directory")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, at least 1 (3)")
    parser.add_argument("--latency", type=int, nargs="+", default=[0, 20], metavar="MS",
                        help="the fake's latency per request, each in turn (0 20)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these")
    parser.add_argument("--drain-mrs", type=int, default=200,
                        help="merge requests in the drain, 10 actions each (200)")
    parser.add_argument("--json", metavar="FILE", help="write the table as JSON too")
    parser.add_argument("--list", action="store_true", help="list the benchmarks, run none")
    options = parser.parse_args()

    build = os.path.abspath(options.build)
    if not os.path.exists(os.path.join(build, "src", "nod")):
        parser.error(f"{build} holds no built Nod (meson setup and ninja first)")
    benchmarks = all_benchmarks(build, options)
    if options.list:
        for benchmark in benchmarks:
            print(f"{benchmark.name:20} {benchmark.about}")
        return 0
    if options.only:
        unknown = set(options.only) - {b.name for b in benchmarks}
        if unknown:
            parser.error("no benchmark named " + ", ".join(sorted(unknown)) +
                         " (--list shows them)")
        benchmarks = [b for b in benchmarks if b.name in options.only]
    if options.rounds < 1:
        parser.error("--rounds must be at least 1")

    started = time.time()
    figures, failures, silent = run_rounds(benchmarks, options.rounds, options.latency)
    rows = aggregate(figures)
    print(table(rows, failures, silent))
    if options.json:
        with open(options.json, "w") as f:
            json.dump({"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
                       "rounds": options.rounds, "latencies_ms": options.latency,
                       "figures": rows, "failures": failures, "no_figures": silent,
                       "missed": [r["name"] for r in rows if r["met"] is False]},
                      f, indent=2, ensure_ascii=False)
            f.write("\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
