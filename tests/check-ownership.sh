#!/usr/bin/env bash
# Checks who may see what, over the source tree:
#   - nothing under src/ui includes the store, SQLite or a forge backend
#     (nod-store.h, nod-store-worker.h, sqlite3.h, nod-forge.h, nod-gitlab.h): widgets get
#     their data through the engine, the cache's views and the outbox's actions;
#   - nothing outside src/core includes the store's worker side (nod-store-worker.h,
#     sqlite3.h): SQL runs in the modules that own tables;
#   - each table is written (INSERT, UPDATE, DELETE, REPLACE) only by its owner's file;
#     the migrations in nod-store-schema.h aside. Others change it through the owner's
#     worker-side calls (nod-outbox-private.h, nod-sync-log-private.h).
#
# Usage: check-ownership.sh SOURCE_ROOT
set -euo pipefail
export LC_ALL=C

if [ $# -ne 1 ]; then
  echo "Usage: $0 SOURCE_ROOT" >&2
  exit 2
fi

cd "$1"
status=0

# offend PATH MESSAGE
offend () {
  echo "FAIL: $1: $2" >&2
  status=1
}

sources () {
  find "$@" -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | sort
}

# (a) The UI sees neither the store nor a forge backend.
ui_forbidden='nod-store\.h|nod-store-worker\.h|sqlite3\.h|nod-forge\.h|nod-gitlab\.h'
while IFS= read -r file; do
  [ -n "$file" ] || continue
  while IFS= read -r header; do
    [ -n "$header" ] || continue
    offend "$file" "includes $header (the UI gets no store, SQLite or forge)"
  done < <(grep -oE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($ui_forbidden)[>\"]" \
             "$file" | grep -oE "$ui_forbidden" || true)
done < <(sources src/ui)

# (b) SQL stays in the core modules that own tables.
worker_forbidden='nod-store-worker\.h|sqlite3\.h'
while IFS= read -r file; do
  [ -n "$file" ] || continue
  case "$file" in src/core/*) continue ;; esac
  while IFS= read -r header; do
    [ -n "$header" ] || continue
    offend "$file" "includes $header (only the owners of tables run SQL)"
  done < <(grep -oE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($worker_forbidden)[>\"]" \
             "$file" | grep -oE "$worker_forbidden" || true)
done < <(sources src)

# (c) One writer per table.
owner_of () {
  case "$1" in
    accounts) echo src/core/nod-accounts.c ;;
    outbox) echo src/core/nod-outbox.c ;;
    reviews | review_drafts) echo src/core/nod-outbox-reviews.c ;;
    sync_log) echo src/core/nod-sync-log.c ;;
    projects | merge_requests | merge_request_commits | approvals | discussions | notes | sync_state)
      echo src/core/nod-review-cache.c ;;
    diff_versions | diff_files | blobs | viewed_files | approved_heads | thread_texts)
      echo src/core/nod-diff-cache.c ;;
  esac
}
tables='reviews|review_drafts|accounts|projects|merge_request_commits|merge_requests|approvals|discussions|notes|outbox|sync_state|sync_log|diff_versions|diff_files|blobs|viewed_files|approved_heads|thread_texts'
writes="(INSERT( OR [A-Z]+)? INTO|REPLACE INTO|UPDATE( OR [A-Z]+)?|DELETE FROM)[[:space:]]+($tables)\\b"
while IFS= read -r file; do
  [ -n "$file" ] || continue
  [ "$file" = src/core/nod-store-schema.h ] && continue
  while IFS= read -r table; do
    [ -n "$table" ] || continue
    owner=$(owner_of "$table")
    if [ "$file" != "$owner" ]; then
      offend "$file" "writes the $table table, which $owner owns"
    fi
  done < <(grep -oE "$writes" "$file" | grep -oE "($tables)\$" | sort -u || true)
done < <(sources src)

if [ $status -eq 0 ]; then
  echo "The UI includes no store, SQLite or forge header; SQL stays in src/core; every" \
       "table is written by its owner only"
fi
exit $status
