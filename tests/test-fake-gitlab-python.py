#!/usr/bin/env python3
# test-fake-gitlab-python.py: python-gitlab, a GitLab client written by others, drives the
# fake GitLab; if the fake did not speak GitLab's dialect, this client would trip on it.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-fake-gitlab-python.py PATH/TO/nod-fake-gitlab
# Prints TAP. Skips when python-gitlab (Debian's python3-gitlab) is not installed.

import os
import re
import selectors
import subprocess
import sys

REEXEC_GUARD = "NOD_FAKE_GITLAB_PYTHON_REEXEC"
DEBIAN_PYTHON = "/usr/bin/python3"

try:
    import gitlab
    import gitlab.exceptions
except ImportError:
    # python3-gitlab lives in the system interpreter's dist-packages; a python3 found first
    # on PATH (pyenv, a virtualenv) cannot import it. Run again under the system one.
    if (os.environ.get(REEXEC_GUARD) is None and os.path.exists(DEBIAN_PYTHON)
            and os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON)):
        os.environ[REEXEC_GUARD] = "1"
        os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON] + sys.argv)
    print("1..0 # SKIP python3-gitlab is not installed")
    sys.exit(0)

TOKEN = "python-token"
STALE_SHA = "0" * 40
HEX_ID = re.compile(r"^[0-9a-f]{40}$")
STARTUP_TIMEOUT_S = 30


class Tap:
    def __init__(self):
        self.count = 0
        self.failed = 0

    def check(self, description, condition, detail=None):
        self.count += 1
        if condition:
            print(f"ok {self.count} - {description}")
        else:
            self.failed += 1
            print(f"not ok {self.count} - {description}")
            if detail is not None:
                for line in str(detail).splitlines():
                    print(f"# {line}")
        sys.stdout.flush()
        return condition

    def run(self, description, function):
        """Runs function, which returns (condition, detail); an exception fails the check."""
        try:
            condition, detail = function()
        except Exception as error:  # a failed check, never a crashed test
            condition, detail = False, f"{type(error).__name__}: {error}"
        return self.check(description, condition, detail)


def start_fake(binary):
    fake = subprocess.Popen([binary, "--port", "0", "--token", TOKEN],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    selector = selectors.DefaultSelector()
    selector.register(fake.stdout, selectors.EVENT_READ)
    line = ""
    if selector.select(timeout=STARTUP_TIMEOUT_S):
        line = fake.stdout.readline().rstrip("\n")
    selector.close()
    return fake, line


def usernames(users):
    return [user["username"] for user in users]


def approvers(approvals):
    return [entry["user"]["username"] for entry in approvals.approved_by]


def response_code_of(call):
    try:
        call()
    except gitlab.exceptions.GitlabError as error:
        return error.response_code
    return None


def main():
    if len(sys.argv) != 2:
        print("usage: test-fake-gitlab-python.py PATH/TO/nod-fake-gitlab", file=sys.stderr)
        return 2

    tap = Tap()
    fake, line = start_fake(sys.argv[1])
    try:
        match = re.fullmatch(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if not tap.check("the fake prints its URL first", match is not None, repr(line)):
            return 1
        url = match.group(1)
        run_checks(tap, url)
    finally:
        fake.terminate()
        try:
            code = fake.wait(timeout=10)
        except subprocess.TimeoutExpired:
            fake.kill()
            code = fake.wait()
        tap.check("the fake exits 0 on SIGTERM", code == 0, f"exit code {code}")

    print(f"1..{tap.count}")
    return 1 if tap.failed else 0


def run_checks(tap, url):
    gl = gitlab.Gitlab(url, private_token=TOKEN, timeout=10)

    def auth():
        gl.auth()
        return (gl.user.username == "sam" and gl.user.id == 1 and gl.user.state == "active",
                gl.user.attributes)
    tap.run("auth() signs in as the reviewer sam", auth)

    def wrong_token():
        other = gitlab.Gitlab(url, private_token="wrong", timeout=10)
        try:
            other.auth()
        except gitlab.exceptions.GitlabAuthenticationError as error:
            return error.response_code == 401, None
        return False, "no error"
    tap.run("a wrong token fails to authenticate", wrong_token)

    def review_list():
        merge_requests = gl.mergerequests.list(scope="all", reviewer_username="sam",
                                               get_all=True)
        every_one = all("sam" in usernames(mr.reviewers) for mr in merge_requests)
        return len(merge_requests) >= 15 and every_one, len(merge_requests)
    tap.run("mergerequests.list(reviewer_username='sam', get_all=True) finds sam's reviews",
            review_list)

    def follow_links():
        merge_requests = gl.mergerequests.list(scope="all", per_page=7, get_all=True)
        ids = {mr.id for mr in merge_requests}
        return len(merge_requests) == 30 and len(ids) == 30, len(merge_requests)
    tap.run("get_all follows the Link header across pages without repeats", follow_links)

    def totals():
        listing = gl.mergerequests.list(scope="all", per_page=10, iterator=True)
        return (listing.total == 30 and listing.total_pages == 3 and listing.per_page == 10,
                (listing.total, listing.total_pages, listing.per_page))
    tap.run("the pagination headers give total, total_pages and per_page", totals)

    def my_merge_requests():
        merge_requests = gl.mergerequests.list(get_all=True)  # GitLab's default scope
        return (len(merge_requests) >= 3
                and all(mr.author["username"] == "sam" for mr in merge_requests),
                len(merge_requests))
    tap.run("the default scope lists what sam created", my_merge_requests)

    project = gl.projects.get("gnome-apps/nod")
    tap.check("projects.get('gnome-apps/nod') finds the project by its encoded path",
              project.id == 11 and project.path_with_namespace == "gnome-apps/nod",
              project.attributes)

    def unknown_project():
        return response_code_of(lambda: gl.projects.get("gnome-apps/none")) == 404, None
    tap.run("an unknown project is a 404", unknown_project)

    mr = project.mergerequests.get(101)
    tap.check("project.mergerequests.get(101) returns the merge request",
              mr.iid == 101 and mr.project_id == 11 and mr.state == "opened"
              and mr.author["username"] == "amelie" and HEX_ID.match(mr.sha) is not None
              and mr.diff_refs["head_sha"] == mr.sha
              and mr.references["full"] == "gnome-apps/nod!101",
              mr.attributes)

    def approvals_before():
        approvals = mr.approvals.get()
        return (approvals.approvals_required == 2 and approvals.approvals_left == 1
                and not approvals.approved and not approvals.user_has_approved
                and approvals.user_can_approve and approvers(approvals) == ["jkowalski"],
                approvals.attributes)
    tap.run("mr.approvals.get() shows one approval of two and sam's right to approve",
            approvals_before)

    # approve() replaces the object's attributes with the approvals answer, sha included.
    head_sha = mr.sha

    def stale_approve():
        return response_code_of(lambda: mr.approve(sha=STALE_SHA)) == 409, None
    tap.run("mr.approve() with a stale sha is a 409", stale_approve)

    def approve():
        mr.approve(sha=head_sha)
        approvals = mr.approvals.get()
        return (approvals.user_has_approved and approvals.approved
                and approvals.approvals_left == 0
                and sorted(approvers(approvals)) == ["jkowalski", "sam"],
                approvals.attributes)
    tap.run("mr.approve(sha=mr.sha) then the approvals show sam", approve)

    def approve_again():
        return response_code_of(lambda: mr.approve(sha=head_sha)) == 401, None
    tap.run("approving twice is a 401, as on GitLab", approve_again)

    def unapprove():
        mr.unapprove()
        approvals = mr.approvals.get()
        return (not approvals.user_has_approved and approvers(approvals) == ["jkowalski"],
                approvals.attributes)
    tap.run("mr.unapprove() takes sam's approval back", unapprove)

    def unapprove_again():
        return response_code_of(lambda: mr.unapprove()) == 404, None
    tap.run("unapproving without an approval is a 404", unapprove_again)

    discussions_before = len(mr.discussions.list(get_all=True))
    state = {}

    def create_discussion():
        discussion = mr.discussions.create({"body": "Written by **python-gitlab**."})
        state["discussion"] = discussion
        note = discussion.attributes["notes"][0]
        return (HEX_ID.match(discussion.id) is not None
                and not discussion.attributes["individual_note"]
                and note["body"] == "Written by **python-gitlab**."
                and note["author"]["username"] == "sam" and note["type"] == "DiscussionNote"
                and note["resolvable"] and not note["resolved"],
                discussion.attributes)
    tap.run("mr.discussions.create() starts a resolvable thread", create_discussion)

    def reply():
        note = state["discussion"].notes.create({"body": "And a reply."})
        return (note.body == "And a reply." and note.author["username"] == "sam"
                and note.type == "DiscussionNote" and note.noteable_iid == 101,
                note.attributes)
    tap.run("discussion.notes.create() replies in the thread", reply)

    def resolve():
        discussion = state["discussion"]
        discussion.resolved = True
        discussion.save()
        fetched = mr.discussions.get(discussion.id)
        notes = fetched.attributes["notes"]
        return (len(notes) == 2 and all(note["resolved"] for note in notes)
                and all(note["resolved_by"]["username"] == "sam" for note in notes),
                fetched.attributes)
    tap.run("discussion.resolved = True; save() resolves it, as a re-fetch shows", resolve)

    def unresolve():
        discussion = mr.discussions.get(state["discussion"].id)
        discussion.resolved = False
        discussion.save()
        notes = mr.discussions.get(discussion.id).attributes["notes"]
        return (not any(note["resolved"] for note in notes)
                and all(note["resolved_by"] is None for note in notes), notes)
    tap.run("discussion.resolved = False; save() reopens it", unresolve)

    def quick_actions():
        mr.discussions.create({"body": "/label ~review\n/assign me"})
        after = len(mr.discussions.list(get_all=True))
        return after == discussions_before + 1, (discussions_before, after)
    tap.run("a body of quick actions only is accepted without a new thread", quick_actions)

    def updated_at_moves():
        refreshed = project.mergerequests.get(101)
        return refreshed.updated_at > mr.updated_at, (mr.updated_at, refreshed.updated_at)
    tap.run("activity bumps the merge request's updated_at", updated_at_moves)

    run_diff_checks(tap, gl, project)


def run_diff_checks(tap, gl, project):
    """The change of !102 (a C file with three hunks) through python-gitlab."""
    mr = project.mergerequests.get(102)
    refs = mr.diff_refs
    state = {}

    def diff_refs():
        return (all(HEX_ID.match(refs[key]) for key in ("base_sha", "start_sha", "head_sha"))
                and refs["head_sha"] == mr.sha, refs)
    tap.run("a merge request's diff_refs are three shas, the head its sha", diff_refs)

    def versions():
        listed = mr.diffs.list(get_all=True)
        state["version"] = listed[0]
        detail = mr.diffs.get(listed[0].id)
        files = [diff["new_path"] for diff in detail.attributes["diffs"]]
        return (len(listed) == 1 and listed[0].head_commit_sha == refs["head_sha"]
                and listed[0].state == "collected" and listed[0].real_size == "1"
                and files == ["src/ui/nod-sidebar.c"]
                and detail.attributes["commits"][0]["id"] == refs["head_sha"],
                detail.attributes)
    tap.run("mr.diffs.list() and get() read the versions, with commits and diffs", versions)

    def diffs():
        files = gl.http_list(f"/projects/{project.id}/merge_requests/102/diffs", get_all=True,
                             per_page=1)
        diff = files[0]["diff"] if files else ""
        return (len(files) == 1 and diff.count("\n@@ ") == 2 and diff.startswith("@@ -")
                and not files[0]["new_file"] and files[0]["a_mode"] == "100644", files)
    tap.run("GET …/diffs pages through the files, hunks in GitLab's format", diffs)

    def raw_file():
        before = project.files.raw(file_path="src/ui/nod-sidebar.c", ref=refs["start_sha"])
        after = project.files.raw(file_path="src/ui/nod-sidebar.c", ref=refs["head_sha"])
        return (before.count(b"\n") == 300 and after.count(b"\n") == 316
                and b"group_by_project" in after and b"group_by_project" not in before,
                (len(before), len(after)))
    tap.run("project.files.raw() reads a file at the change's start and head", raw_file)

    def missing_file():
        try:
            project.files.raw(file_path="src/nope.c", ref=refs["head_sha"])
        except gitlab.exceptions.GitlabGetError as error:
            return error.response_code == 404 and "File Not Found" in str(error), str(error)
        return False, "no error"
    tap.run("project.files.raw() of a missing file is a 404", missing_file)

    def diff_note():
        position = {"position_type": "text", "base_sha": refs["base_sha"],
                    "start_sha": refs["start_sha"], "head_sha": refs["head_sha"],
                    "old_path": "src/ui/nod-sidebar.c", "new_path": "src/ui/nod-sidebar.c",
                    "new_line": 26}
        discussion = mr.discussions.create({"body": "Inline, from python-gitlab.",
                                            "position": position})
        note = discussion.attributes["notes"][0]
        return (note["type"] == "DiffNote" and note["position"]["new_line"] == 26
                and note["position"]["old_line"] is None, discussion.attributes)
    tap.run("mr.discussions.create() with a position makes a DiffNote on that line", diff_note)

    def wrong_side():
        position = {"position_type": "text", "base_sha": refs["base_sha"],
                    "start_sha": refs["start_sha"], "head_sha": refs["head_sha"],
                    "old_path": "src/ui/nod-sidebar.c", "new_path": "src/ui/nod-sidebar.c",
                    "old_line": 26, "new_line": 26}
        try:
            mr.discussions.create({"body": "Both sides of an added line.", "position": position})
        except gitlab.exceptions.GitlabCreateError as error:
            return error.response_code == 400 and "line_code" in str(error), str(error)
        return False, "no error"
    tap.run("a position on the wrong side of a line is refused with GitLab's 400", wrong_side)


if __name__ == "__main__":
    sys.exit(main())
