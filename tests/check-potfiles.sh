#!/usr/bin/env bash
# Checks po/POTFILES.in against the source tree:
#   - its entries are sorted (LC_ALL=C) and unique, comment and blank lines aside;
#   - every listed file exists;
#   - every file under src/ and data/ with translatable strings is listed.
#
# Usage: check-potfiles.sh SOURCE_ROOT
set -euo pipefail
export LC_ALL=C

if [ $# -ne 1 ]; then
  echo "Usage: $0 SOURCE_ROOT" >&2
  exit 2
fi

top=$1
potfiles=$top/po/POTFILES.in

if [ ! -f "$potfiles" ]; then
  echo "FAIL: $potfiles does not exist" >&2
  exit 1
fi

cd "$top"
status=0

# Entries: comment lines and blank lines dropped, surrounding blanks trimmed.
listed=$(sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' po/POTFILES.in \
           | grep -v -e '^#' -e '^$' || true)

# (a) sorted and unique.
if [ "$listed" != "$(printf '%s\n' "$listed" | sort -u)" ]; then
  echo "FAIL: po/POTFILES.in is not sorted (LC_ALL=C sort) or has duplicates; expected:" >&2
  printf '%s\n' "$listed" | sort -u | sed 's/^/  /' >&2
  status=1
fi

# (b) every entry exists.
while IFS= read -r entry; do
  [ -n "$entry" ] || continue
  if [ ! -f "$entry" ]; then
    echo "FAIL: po/POTFILES.in lists $entry, which does not exist" >&2
    status=1
  fi
done <<< "$listed"

# (c) every file with translatable strings is listed.
translatable=$(
  {
    # C: _(), N_(), C_(), NC_() not preceded by part of a longer identifier.
    grep -rlE --include='*.c' --include='*.h' \
      '(^|[^A-Za-z0-9_])(_|N_|C_|NC_)[[:space:]]*\(' src data 2>/dev/null || true
    grep -rl --include='*.ui' 'translatable="yes"' src data 2>/dev/null || true
    find src data -type f \( -name '*.desktop.in' -o -name '*.metainfo.xml.in' \
                             -o -name '*.gschema.xml' \) 2>/dev/null || true
  } | sort -u
)

while IFS= read -r file; do
  [ -n "$file" ] || continue
  if ! grep -qxF -- "$file" <<< "$listed"; then
    echo "FAIL: $file has translatable strings but is not in po/POTFILES.in" >&2
    status=1
  fi
done <<< "$translatable"

if [ $status -eq 0 ]; then
  echo "po/POTFILES.in is sorted, complete and lists only existing files" \
       "($(grep -c . <<< "$listed") entries)"
fi
exit $status
