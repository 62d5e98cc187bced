"""The whole-process benchmarks of bench/run.py: `nod approve`, `nod push` and `nod pull`
against python-gitlab doing the same work, on the same fake GitLab, in the same round.

Each round function starts its own fake (at the round's latency), measures Nod and then
python-gitlab on it (the fake reset in between), stops it, and returns the figures as
benchmark-protocol dicts (benchlib.result)."""

import datetime
import json
import os
import re
import time

import benchlib
from benchlib import Fake, Home, timed

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"
# python-gitlab's command; where Debian's entry point is missing, the same CLI as a module.
GITLAB_CLI = ["/usr/bin/gitlab"] if os.path.exists("/usr/bin/gitlab") \
    else [PYTHON, "-m", "gitlab"]
REVIEWER = "sam"  # whom the fake's --token signs in as
COMMENTS_PER_MR = 3
# The note limit both drains run under, per minute: GitLab's "Notes rate limit" is an
# admin setting (300 a minute by default; gitlab.com 60); an instance that raised it this
# far lets a 2,000-action drain (1,200 notes) through in seconds.
DRAIN_NOTES_LIMIT = 2000


def nod_binary(build):
    return os.path.join(build, "src", "nod")


def reviewable_merge_requests(fake, count):
    """Open merge requests the reviewer may approve and has not, newest change first."""
    found, page = [], 1
    while len(found) < count:
        listed = fake.api(f"/merge_requests?scope=all&reviewer_username={REVIEWER}"
                          f"&state=opened&order_by=updated_at&sort=desc&per_page=100"
                          f"&page={page}")
        if not listed:
            raise RuntimeError(f"the fake has only {len(found)} merge requests to review")
        for mr in listed:
            if mr["author"]["username"] == REVIEWER:
                continue
            approvals = fake.api(f"/projects/{mr['project_id']}/merge_requests/{mr['iid']}"
                                 "/approvals")
            if approvals["user_has_approved"]:
                continue
            found.append({"project_id": mr["project_id"], "iid": mr["iid"],
                          "path": mr["references"]["full"].split("!")[0]})
            if len(found) == count:
                break
        page += 1
    return found


def has_approved(fake, mr):
    approvals = fake.api(f"/projects/{mr['project_id']}/merge_requests/{mr['iid']}/approvals")
    return approvals["user_has_approved"]


# ---- 1. nod approve vs the gitlab command ----

def gitlab_cli_config(directory, url):
    path = os.path.join(directory, "python-gitlab.cfg")
    with open(path, "w") as f:
        f.write("[global]\ndefault = fake\n\n"
                f"[fake]\nurl = {url}\nprivate_token = {benchlib.TOKEN}\napi_version = 4\n")
    return path


def approve_round(build, latency_ms, options):
    with Fake(build, 200, latency_ms) as fake, Home() as home:
        fake.set_rate_limit()
        mr = reviewable_merge_requests(fake, 1)[0]
        env = home.env(build, fake.url)
        # As a reviewer's Nod would have it: signed in (the token in the keyring, so nothing
        # asks GitLab whose it is), the merge request pulled and cached. With no keyring,
        # the one-off GITLAB_URL + GITLAB_TOKEN account, which asks GET /user first.
        kept = {k: v for k, v in env.items() if k not in ("GITLAB_URL", "GITLAB_TOKEN")}
        added = timed([nod_binary(build), "account", "add", "--url", fake.url,
                       "--token-stdin"], kept, stdin_text=benchlib.TOKEN + "\n")
        note = None
        if added.returncode == 0:
            env = kept
        else:
            note = "no keyring: a one-off account, which asks GET /user before approving"
        timed([nod_binary(build), "pull"], env).check("nod pull")

        nod = timed([nod_binary(build), "approve", f"{mr['path']}!{mr['iid']}"], env)
        nod.check("nod approve")
        if not has_approved(fake, mr):
            raise RuntimeError("nod approve exited 0 but GitLab has no approval")

        fake.reset()
        config = gitlab_cli_config(home.root, fake.url)
        python = timed(GITLAB_CLI + ["-c", config, "project-merge-request", "approve",
                        "--project-id", str(mr["project_id"]), "--iid", str(mr["iid"])],
                       env)
        python.check("gitlab project-merge-request approve")
        if not has_approved(fake, mr):
            raise RuntimeError("the gitlab command exited 0 but GitLab has no approval")

    return [benchlib.result(
        "approve", "nod approve vs gitlab CLI approve (whole process)", "ms",
        nod.seconds * 1000, python.seconds * 1000,
        "python-gitlab's gitlab command, the same approval", "Nod ≥ 6× faster",
        ratio_goal=6, note=note)]


# ---- 2. a drain: nod push vs a python-gitlab script ----

def write_requests(log):
    return [r for r in log if r["method"] in ("POST", "PUT")]


def check_drain(fake, plan, log):
    """Every action arrived once, each merge request's thread actions in order, and each
    comment, reply and resolution is on GitLab. Returns the problems found."""
    problems = []
    by_mr = {}
    for r in write_requests(log):
        m = re.match(r"^/api/v4/projects/(\d+)/merge_requests/(\d+)/(.*)$", r["path"])
        if not m:
            problems.append(f"unexpected {r['method']} {r['path']}")
            continue
        if not 200 <= r["status"] < 300:
            problems.append(f"{r['method']} {r['path']} answered {r['status']}")
        by_mr.setdefault((int(m.group(1)), int(m.group(2))), []).append(
            (r["method"], m.group(3)))

    for mr in plan:
        ref = f"{mr['path']}!{mr['iid']}"
        sent = by_mr.pop((mr["project_id"], mr["iid"]), [])
        approvals = [s for s in sent if s == ("POST", "approve")]
        thread_lane = [s for s in sent if s != ("POST", "approve")]
        if len(approvals) != 1:
            problems.append(f"{ref}: {len(approvals)} approvals sent, not 1")
        expected_shape = ["POST discussions", "POST discussions/*/notes",
                          "PUT discussions/*"] * COMMENTS_PER_MR
        shape = [f"{method} {re.sub(r'discussions/[^/]+', 'discussions/*', path)}"
                 for method, path in thread_lane]
        if shape != expected_shape:
            problems.append(f"{ref}: thread actions {shape}, not {expected_shape}")
        problems.extend(check_threads_on_gitlab(fake, mr, ref))
    for (project_id, iid), sent in by_mr.items():
        problems.append(f"project {project_id} !{iid}: {len(sent)} writes nobody asked for")
    return problems


def check_threads_on_gitlab(fake, mr, ref):
    problems = []
    threads = fake.api(f"/projects/{mr['project_id']}/merge_requests/{mr['iid']}"
                       "/discussions?per_page=100")
    if len(threads) == 100:
        raise RuntimeError(f"{ref}: more than a page of discussions; check more pages")
    for number in range(1, COMMENTS_PER_MR + 1):
        body = f"Benchmark comment {number} on {ref}"
        reply = f"Benchmark reply {number} on {ref}"
        found = [t for t in threads if t["notes"] and t["notes"][0]["body"] == body]
        if len(found) != 1:
            problems.append(f"{ref}: comment {number} is on GitLab {len(found)} times")
            continue
        notes = found[0]["notes"]
        if [n["body"] for n in notes[1:]] != [reply]:
            problems.append(f"{ref}: thread {number} holds {len(notes) - 1} replies, "
                            "not the one reply")
        if not notes[0].get("resolved"):
            problems.append(f"{ref}: thread {number} is not resolved")
    return problems


def pending_wait_until(build, env):
    """When Nod's next queued action may go (its own pace), or None."""
    listed = timed([nod_binary(build), "queue", "list", "--json"], env).check("nod queue list")
    times = [a["next_attempt_at"] for a in json.loads(listed.stdout)
             if a["state"] == "pending" and a.get("next_attempt_at")]
    if not times:
        return None
    soonest = min(datetime.datetime.fromisoformat(t.replace("Z", "+00:00")) for t in times)
    return soonest.timestamp()


def nod_drain(build, env):
    """`nod push` until the outbox is empty. Nod paces comments itself (so many a minute)
    and a push leaves what must wait for later; a reviewer would push again then, so this
    waits until the time Nod gave and pushes again. All of it is the drain's time."""
    started = time.perf_counter()
    pushes = 0
    max_rss = 0.0
    waited = 0.0
    pushing = 0.0
    while True:
        push = timed([nod_binary(build), "push"], env)
        pushes += 1
        pushing += push.seconds
        max_rss = max(max_rss, push.max_rss_mb)
        push.check("nod push", 0, 75)
        if push.returncode == 0:
            break
        if not re.search(r"failed 0,", push.stdout):
            raise RuntimeError(f"nod push: {push.stdout.strip()}")
        until = pending_wait_until(build, env)
        if until is None and push.stdout.startswith("pushed 0,"):
            raise RuntimeError(f"nod push makes no progress: {push.stdout.strip()}")
        if until is not None and until > time.time():
            pause = until - time.time()
            waited += pause
            time.sleep(pause)  # Nod's own schedule, not the fake's
    return time.perf_counter() - started, pushes, pushing, waited


def drain_round(build, latency_ms, options):
    n_mrs = options.drain_mrs
    n_actions = n_mrs * (1 + 3 * COMMENTS_PER_MR)
    with Fake(build, max(600, 4 * n_mrs), latency_ms) as fake, \
            Home(history_depth="all") as home:
        fake.set_rate_limit(DRAIN_NOTES_LIMIT)
        plan = reviewable_merge_requests(fake, n_mrs)
        env = home.env(build, fake.url)
        timed([nod_binary(build), "pull"], env).check("nod pull")
        enqueue = timed([os.path.join(build, "tests", "nod-bench-enqueue"),
                         str(COMMENTS_PER_MR)], env,
                        "".join(f"{mr['path']} {mr['iid']}\n" for mr in plan))
        enqueue.check("nod-bench-enqueue")
        if enqueue.stdout.strip() != f"queued {n_actions}":
            raise RuntimeError(f"nod-bench-enqueue: {enqueue.stdout.strip()}")

        fake.clear_requests()
        nod_seconds, pushes, pushing, waited = nod_drain(build, env)
        problems = check_drain(fake, plan, fake.requests())
        if problems:
            raise RuntimeError("Nod's drain is wrong: " + "; ".join(problems[:10]))

        fake.reset(DRAIN_NOTES_LIMIT)
        python = timed([PYTHON, os.path.join(HERE, "drain-python-gitlab.py"), fake.url,
                        benchlib.TOKEN, str(COMMENTS_PER_MR)], env,
                       "".join(f"{mr['project_id']} {mr['iid']} {mr['path']}\n"
                               for mr in plan))
        python.check("drain-python-gitlab.py")
        problems = check_drain(fake, plan, fake.requests())
        if problems:
            raise RuntimeError("python-gitlab's drain is wrong: " + "; ".join(problems[:10]))

    note = f"{pushes} nod push run(s), {pushing:.1f} s in them"
    if waited > 0:
        note += f", {waited:.0f} s waiting for Nod's own comment pace"
    return [benchlib.result(
        f"drain-{n_actions}", f"drain of {n_actions} actions over {n_mrs} MRs: nod push "
        "vs python-gitlab script", "s", nod_seconds, python.seconds,
        f"python-gitlab, one session, the same calls in order (notes limit "
        f"{DRAIN_NOTES_LIMIT}/min on both)",
        "Nod ≥ 3× faster at 20 ms, ≥ 1.5× on loopback",
        ratio_goal=3 if latency_ms >= 20 else 1.5, note=note)]


# ---- 3. a first pull, then an incremental one ----

def pull_figures(build, latency_ms, n_mrs, with_incremental):
    with Fake(build, n_mrs, latency_ms) as fake, Home(history_depth="all") as home:
        fake.set_rate_limit()
        env = home.env(build, fake.url)
        nod = timed([nod_binary(build), "pull"], env).check("nod pull")
        nod_requests = len(fake.requests())
        pulled = re.search(r"^pulled (\d+)$", nod.stdout, re.M)
        cut = None
        if pulled is None or int(pulled.group(1)) != n_mrs:
            cut = (f"nod pull exited {nod.returncode} after {nod.seconds:.1f} s saying "
                   f"{nod.stdout.strip()!r}, not 'pulled {n_mrs}': the pull did not finish "
                   "(its figures are of a cut pull)")
        if with_incremental:
            fake.clear_requests()
            again = timed([nod_binary(build), "pull"], env).check("nod pull (again)")
            again_requests = len(fake.requests())

        fake.reset()
        python = timed([PYTHON, os.path.join(HERE, "pull-python-gitlab.py"), fake.url,
                        benchlib.TOKEN], env).check("pull-python-gitlab.py")
        python_requests = len(fake.requests())

    mrs = f"{n_mrs:,}"
    same = "python-gitlab script, one session, the same resources"
    figures = [
        benchlib.result(f"pull-{n_mrs}-rss", f"first pull of {mrs} MRs: peak RSS", "MB",
                        nod.max_rss_mb, python.max_rss_mb, same,
                        "< 40 MB" if n_mrs >= 10000 else None,
                        bound=40 if n_mrs >= 10000 else None),
        benchlib.result(f"pull-{n_mrs}-requests", f"first pull of {mrs} MRs: requests",
                        "requests", nod_requests, python_requests, same),
    ]
    if n_mrs < 10000:
        figures.insert(0, benchlib.result(
            f"pull-{n_mrs}-time", f"first pull of {mrs} MRs: wall time", "s",
            nod.seconds, python.seconds, same,
            "Nod ≥ 3× faster at 20 ms, ≥ 1.5× on loopback",
            ratio_goal=3 if latency_ms >= 20 else 1.5))
    if with_incremental:
        figures += [
            benchlib.result("pull-incremental-requests",
                            "incremental pull, nothing changed: requests", "requests",
                            again_requests, None, None, "≤ 4", bound=4),
            benchlib.result("pull-incremental-time", "incremental pull, nothing changed",
                            "ms", again.seconds * 1000),
        ]
    if cut is not None:
        for figure in figures:
            figure["note"] = "INCOMPLETE: " + cut
        raise benchlib.Incomplete(figures, cut)
    return figures


def pull_round(build, latency_ms, options):
    return pull_figures(build, latency_ms, 2000, with_incremental=True)


def pull_big_round(build, latency_ms, options):
    return pull_figures(build, latency_ms, 10000, with_incremental=False)


# name → (what it does, round function, latencies it runs at (None: all), rounds (None: all))
BENCHMARKS = {
    "approve": ("nod approve vs the gitlab command", approve_round, None, None),
    "drain": ("nod push of a drain vs a python-gitlab script", drain_round, None, None),
    "pull": ("nod pull of 2,000 MRs vs a python-gitlab script, then again", pull_round,
             None, None),
    # Memory is the figure: one round, on loopback, is enough.
    "pull-10000": ("nod pull of 10,000 MRs vs a python-gitlab script: memory",
                   pull_big_round, (0,), 1),
}
