#!/usr/bin/python3
"""The drain a script author would write with python-gitlab: for each merge request, in
order, approve it, then COMMENTS times start a thread, reply in it and resolve it.

    drain-python-gitlab.py URL TOKEN COMMENTS < merge-requests

Standard input names one merge request a line, "PROJECT_ID IID GROUP/PROJECT" (the path
only for the bodies). One Gitlab object, so
one keep-alive session; python-gitlab's own handling of a 429 (wait, then retry) is left
on, as a script would have it. The bodies are those bench/nod-bench-enqueue.c queues for
Nod, so the check after the run is the same for both.
"""

import sys

import gitlab


def drain_merge_request(gl, project_id, iid, project_path, comments):
    project = gl.projects.get(project_id, lazy=True)
    mr = project.mergerequests.get(iid, lazy=True)
    mr.approve()
    for number in range(1, comments + 1):
        reference = f"{project_path}!{iid}"
        thread = mr.discussions.create({"body": f"Benchmark comment {number} on {reference}"})
        thread.notes.create({"body": f"Benchmark reply {number} on {reference}"})
        thread.resolved = True
        thread.save()


def main():
    url, token, comments = sys.argv[1], sys.argv[2], int(sys.argv[3])
    gl = gitlab.Gitlab(url, private_token=token)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        project_id, iid, project_path = int(words[0]), int(words[1]), words[2]
        drain_merge_request(gl, project_id, iid, project_path, comments)


if __name__ == "__main__":
    main()
