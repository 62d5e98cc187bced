"""What every command-line benchmark of bench/run.py needs: the fake GitLab as a process of
its own, a private home for Nod, a child process timed whole, and the result lines of
the benchmark protocol (bench/README.md)."""

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request

TOKEN = "bench-token"
# The fake's budget: high enough that no pull stops at Nod's reserve of 100.
REQUEST_LIMIT = 1000000


class Fake:
    """nod-fake-gitlab on a port the kernel picks, stopped when the measurement ends."""

    def __init__(self, build, generate, latency_ms=0):
        binary = os.path.join(build, "src", "demo", "nod-fake-gitlab")
        self.process = subprocess.Popen(
            [binary, "--port", "0", "--token", TOKEN, "--generate", str(generate),
             "--latency-ms", str(latency_ms)],
            stdout=subprocess.PIPE, text=True)
        first = self.process.stdout.readline().strip()
        prefix = "listening on "
        if not first.startswith(prefix):
            self.stop()
            raise RuntimeError(f"nod-fake-gitlab said {first!r}, not where it listens")
        self.url = first[len(prefix):]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait()

    def call(self, method, path, body=None, token=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token is not None:
            request.add_header("PRIVATE-TOKEN", token)
        with urllib.request.urlopen(request) as answer:
            text = answer.read()
        return json.loads(text) if text else None

    def api(self, path):
        return self.call("GET", "/api/v4" + path, token=TOKEN)

    def set_rate_limit(self, notes_limit=None):
        body = {"limit": REQUEST_LIMIT, "remaining": REQUEST_LIMIT, "reset_in_s": 3600}
        if notes_limit is not None:
            body["notes_limit"] = notes_limit
            body["notes_remaining"] = notes_limit
        self.call("POST", "/__fake/ratelimit", body)

    def reset(self, notes_limit=None):
        """Back to the generated dataset, the log empty, the limits raised again."""
        self.call("POST", "/__fake/reset", {})
        self.set_rate_limit(notes_limit)

    def requests(self):
        return self.call("GET", "/__fake/requests")

    def clear_requests(self):
        self.call("DELETE", "/__fake/requests")


class Home:
    """A private XDG home: Nod's data, settings and keyring are this run's only."""

    def __init__(self, history_depth=None):
        self.root = tempfile.mkdtemp(prefix="nod-bench-")
        self.dirs = {}
        for name in ("data", "config", "cache", "runtime", "home"):
            path = os.path.join(self.root, name)
            os.mkdir(path, 0o700)
            self.dirs[name] = path
        if history_depth is not None:
            settings = os.path.join(self.dirs["config"], "glib-2.0", "settings")
            os.makedirs(settings)
            with open(os.path.join(settings, "keyfile"), "w") as f:
                f.write(f"[io/github/nodreview/Nod]\nhistory-depth='{history_depth}'\n")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.root, ignore_errors=True)

    def env(self, build, url):
        env = dict(os.environ)
        env.update({
            "XDG_DATA_HOME": self.dirs["data"],
            "XDG_CONFIG_HOME": self.dirs["config"],
            "XDG_CACHE_HOME": self.dirs["cache"],
            "XDG_RUNTIME_DIR": self.dirs["runtime"],
            "HOME": self.dirs["home"],
            "GITLAB_URL": url,
            "GITLAB_TOKEN": TOKEN,
            # The keyfile backend reads the history depth written above.
            "GSETTINGS_BACKEND": "keyfile",
            "GSETTINGS_SCHEMA_DIR": os.path.join(build, "data"),
            "GIO_USE_PROXY_RESOLVER": "dummy",
            "NO_COLOR": "1",
        })
        return env


def timed(argv, env=None, stdin_text=None):
    """Runs argv to its end; its wall time and peak RSS come from its own wait4."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Threads drain the pipes; the child is reaped here, by wait4, for its rusage.
    out, err = _communicate_without_reaping(child, stdin_text)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return Outcome(child.returncode, seconds, usage.ru_maxrss / 1024, out, err)


class Outcome:
    def __init__(self, returncode, seconds, max_rss_mb, stdout, stderr):
        self.returncode = returncode
        self.seconds = seconds
        self.max_rss_mb = max_rss_mb
        self.stdout = stdout
        self.stderr = stderr

    def check(self, what, *allowed):
        if self.returncode not in (allowed or (0,)):
            raise RuntimeError(f"{what}: exit {self.returncode}: "
                               f"{(self.stderr or self.stdout).strip()[-500:]}")
        return self


def _communicate_without_reaping(child, stdin_text):
    chunks = {"out": [], "err": []}

    def drain(stream, key):
        chunks[key].append(stream.read())
        stream.close()

    readers = [threading.Thread(target=drain, args=(child.stdout, "out")),
               threading.Thread(target=drain, args=(child.stderr, "err"))]
    for reader in readers:
        reader.start()
    if stdin_text:
        child.stdin.write(stdin_text)
    child.stdin.close()
    for reader in readers:
        reader.join()
    return "".join(chunks["out"]), "".join(chunks["err"])


class Incomplete(Exception):
    """A measurement that ran but did not do all its work: its figures are kept, marked,
    and the round is reported as failed with why."""

    def __init__(self, figures, message):
        super().__init__(message)
        self.figures = figures


def result(name, label, unit, nod, comparison=None, comparison_label=None, goal=None,
           ratio_goal=None, bound=None, lower_is_better=True, ratio_kind=None, note=None):
    """One figure, as a benchmark's "# result" line carries it."""
    figure = {"name": name, "label": label, "unit": unit, "nod": nod,
              "comparison": comparison, "comparison_label": comparison_label,
              "goal": goal, "lower_is_better": lower_is_better}
    if ratio_goal is not None:
        figure["ratio_goal"] = ratio_goal
    if ratio_kind is not None:
        figure["ratio_kind"] = ratio_kind
    if bound is not None:
        figure["bound"] = bound
    if note is not None:
        figure["note"] = note
    return figure
