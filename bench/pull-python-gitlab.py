#!/usr/bin/python3
"""A first pull written with python-gitlab: what `nod pull` asks GitLab for, asked for by a
script author, one request after another on one keep-alive session.

    pull-python-gitlab.py URL TOKEN

The merge requests Nod lists (the reviewer's, those assigned to them, their own, all
states, every page), each one's approvals and discussions (every page), and for an open
one its newest version, its diffs (every page) and the old and new text of every file the
diff shows as text. What it got is kept in memory, as a program showing it would keep it.
Prints one line: how many merge requests, discussions and file texts.
"""

import sys

import gitlab

PER_PAGE = 100
LIST_SCOPES = ("reviewer", "assigned_to_me", "created_by_me")


def list_merge_requests(gl, username):
    """Every merge request of the three lists, once each, newest change first."""
    found = {}
    for scope in LIST_SCOPES:
        options = {"state": "all", "order_by": "updated_at", "sort": "desc",
                   "per_page": PER_PAGE, "iterator": True}
        if scope == "reviewer":
            options.update(scope="all", reviewer_username=username)
        else:
            options["scope"] = scope
        for mr in gl.mergerequests.list(**options):
            found.setdefault((mr.project_id, mr.iid), mr.attributes)
    return list(found.values())


def shown_as_text(diff):
    return not (diff.get("too_large") or diff.get("collapsed")
                or diff.get("diff", "").startswith("Binary files "))


def fetch_change(gl, project, mr):
    """The newest version's refs, the diffs, and each shown file's two texts."""
    versions = mr.diffs.list(per_page=PER_PAGE, get_all=False)
    if not versions:
        return None
    newest = versions[0]
    diffs = list(gl.http_list(
        f"/projects/{project.id}/merge_requests/{mr.iid}/diffs",
        per_page=PER_PAGE, iterator=True))
    texts = {}
    for diff in diffs:
        if not shown_as_text(diff):
            continue
        if not diff.get("new_file"):
            texts[("old", diff["old_path"])] = fetch_text(project, diff["old_path"],
                                                          newest.base_commit_sha)
        if not diff.get("deleted_file"):
            texts[("new", diff["new_path"])] = fetch_text(project, diff["new_path"],
                                                          newest.head_commit_sha)
    return {"version": newest.attributes, "diffs": diffs, "texts": texts}


def fetch_text(project, path, ref):
    try:
        return project.files.raw(file_path=path, ref=ref)
    except gitlab.exceptions.GitlabGetError as error:
        if error.response_code == 404:
            return None
        raise


def pull(gl):
    gl.auth()
    kept = []
    for attributes in list_merge_requests(gl, gl.user.username):
        project = gl.projects.get(attributes["project_id"], lazy=True)
        mr = project.mergerequests.get(attributes["iid"], lazy=True)
        entry = {
            "merge_request": attributes,
            "approvals": mr.approvals.get().attributes,
            "discussions": [d.attributes for d in
                            mr.discussions.list(per_page=PER_PAGE, iterator=True)],
        }
        if attributes["state"] == "opened":
            entry["change"] = fetch_change(gl, project, mr)
        kept.append(entry)
    return kept


def main():
    gl = gitlab.Gitlab(sys.argv[1], private_token=sys.argv[2])
    kept = pull(gl)
    discussions = sum(len(entry["discussions"]) for entry in kept)
    texts = sum(len(entry["change"]["texts"]) for entry in kept if entry.get("change"))
    print(f"pulled {len(kept)} merge requests, {discussions} discussions, {texts} texts")


if __name__ == "__main__":
    main()
