#!/usr/bin/env bash
# Set up, build, run and test Nod on Debian 12.
#
#   build-aux/dev.sh run    install what is missing, build, launch the app
#   build-aux/dev.sh test   install what is missing, build, run every test headless
#   build-aux/dev.sh bench [bench/run.py options]
#                           install what is missing, build, run the benchmarks headless
#
# Build directories: _build (the app), _build-sanitize (core library and its tests with
# AddressSanitizer and UndefinedBehaviorSanitizer), _build-fuzz (the libFuzzer targets of
# tests/fuzz/, built with clang, with both sanitizers).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

build_dir=_build
sanitize_dir=_build-sanitize
fuzz_dir=_build-fuzz

# Debian 12 package names. Build tools and libraries, then what the app needs at run
# time (icons, fonts, settings), then what the headless tests need.
packages=(
  gcc libc6-dev pkg-config meson ninja-build gettext python3
  libglib2.0-dev libglib2.0-dev-bin libglib2.0-bin
  libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev libsqlite3-dev libsecret-1-dev
  libcmark-gfm-dev libcmark-gfm-extensions-dev libgtksourceview-5-dev
  desktop-file-utils appstream
  adwaita-icon-theme fonts-cantarell librsvg2-common gsettings-desktop-schemas
  dconf-gsettings-backend at-spi2-core
  xvfb xauth dbus dbus-bin gnome-keyring python3-gitlab
  clang libclang-rt-14-dev
)

say () {
  printf '\033[1m==> %s\033[0m\n' "$*" >&2
}

install_missing_packages () {
  local missing=() package
  for package in "${packages[@]}"; do
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null)" != installed ]; then
      missing+=("$package")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  if [ "$(id -u)" -ne 0 ]; then
    echo "These Debian packages are missing. Install them as root, then run this again:" >&2
    echo "  sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi

  say "Installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build () {
  if [ ! -f "$build_dir/build.ninja" ]; then
    say "Configuring $build_dir"
    meson setup "$build_dir" --buildtype=debugoptimized
  fi
  say "Building"
  meson compile -C "$build_dir"
}

# Counts TAP subtests (and whole tests that speak no TAP) in meson's test logs and prints
# "N passed, N failed" with ", N skipped" and ", N incomplete" when some were. A TAP TODO
# (g_test_incomplete: a known bug, pinned by a test) is not a failure of the suite.
summarise () {
  python3 - "$@" <<'EOF'
import json, re, sys

passed = failed = skipped = incomplete = 0
for log in sys.argv[1:]:
    try:
        f = open(log, encoding="utf-8", errors="replace")
    except OSError:
        failed += 1  # the suite never ran
        continue
    with f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            test = json.loads(line)
            result = test.get("result", "")
            out = test.get("stdout") or ""
            cases = list(re.finditer(r"^(not ok|ok)\b(.*)$", out, re.M))
            if cases:
                for case in cases:
                    if re.search(r"#\s*skip", case.group(2), re.I):
                        skipped += 1
                    elif case.group(1) == "not ok" and \
                            re.search(r"#\s*todo", case.group(2), re.I):
                        incomplete += 1
                    elif case.group(1) == "ok":
                        passed += 1
                    else:
                        failed += 1
                # A crash after some cases leaves no "not ok" line: count it too.
                if result not in ("OK", "SKIP", "EXPECTEDFAIL") and \
                        not any(c.group(1) == "not ok" and
                                not re.search(r"#\s*todo", c.group(2), re.I)
                                for c in cases):
                    failed += 1
            elif result == "OK":
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1

line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
if incomplete:
    line += f", {incomplete} incomplete"
print(line)
EOF
}

# Runs a command in a headless session: an X server of its own, a private D-Bus session bus
# and an unlocked keyring in a throwaway home. (An empty password on stdin creates no login
# keyring; a newline does.)
run_headless () (
  local scratch status=0
  scratch=$(mktemp -d)
  mkdir -m 700 "$scratch/runtime"
  export XDG_RUNTIME_DIR="$scratch/runtime"
  export XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config"
  export XDG_CACHE_HOME="$scratch/cache" HOME="$scratch/home"
  mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$HOME"

  xvfb-run -a -s "-screen 0 1280x800x24" \
    dbus-run-session -- bash -c '
      printf "\n" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
      exec "$@"
    ' bash "$@" || status=$?

  rm -rf "$scratch"
  exit $status
)

# The whole suite (or, given arguments, `meson test` with them), headless.
run_headless_tests () {
  run_headless meson test -C "$top/$build_dir" --print-errorlogs --no-rebuild "$@"
}

build_sanitized () {
  if [ ! -f "$sanitize_dir/build.ninja" ]; then
    say "Configuring $sanitize_dir (AddressSanitizer + UndefinedBehaviorSanitizer)"
    meson setup "$sanitize_dir" -Dui=false --buildtype=debug \
      -Db_sanitize=address,undefined -Db_lundef=false \
      -Dc_args=-fno-sanitize-recover=all
  fi
  say "Building $sanitize_dir"
  meson compile -C "$sanitize_dir"
}

run_sanitized_core_tests () {
  local status=0

  # Most of a sanitized run is spent walking the stack of every allocation: eight frames
  # are the fewest that still reach GLib's g_set_user_dirs for the suppression below.
  ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:malloc_context_size=8:abort_on_error=1:halt_on_error=1:strict_string_checks=1 \
  LSAN_OPTIONS=suppressions="$top/build-aux/lsan.supp":print_suppressions=0 \
  UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
  NOD_TEST_DEADLINE_SCALE=4 \
    meson test -C "$sanitize_dir" --suite core --print-errorlogs --no-rebuild \
      --timeout-multiplier 4 || status=$?

  # A report in a child process may not change the exit status: look for any.
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
       "$sanitize_dir/meson-logs/testlog.txt"; then
    echo "A sanitizer reported a problem; see $sanitize_dir/meson-logs/testlog.txt" >&2
    status=1
  fi
  return $status
}

build_fuzz_targets () {
  if [ ! -f "$fuzz_dir/build.ninja" ]; then
    say "Configuring $fuzz_dir (libFuzzer targets, clang, ASan + UBSan)"
    CC=clang meson setup "$fuzz_dir" -Dfuzzing=true -Dui=false --buildtype=debugoptimized
  fi
  say "Building $fuzz_dir"
  meson compile -C "$fuzz_dir" fuzz
}

# Each target for NOD_FUZZ_SECONDS (15 by default) from a copy of its seed corpus; a
# crash, a leak or a sanitizer report fails it (tests/fuzz/run-fuzz-target.sh). They run
# for a fixed time whatever CPU they get: niced, they take what the sanitized suite beside
# them leaves rather than slow it down.
run_fuzz_targets () {
  nice -n 10 meson test -C "$fuzz_dir" --suite fuzz --print-errorlogs --no-rebuild
}

cmd_run () {
  install_missing_packages
  build
  # With no arguments: the demo, against a built-in GitLab with sample data, so anyone can
  # try Nod with no account. Arguments, if any, go to nod instead.
  if [ $# -eq 0 ]; then
    set -- --demo
  fi
  say "Launching Nod $*"
  GSETTINGS_SCHEMA_DIR="$top/$build_dir/data" exec "$build_dir/src/nod" "$@"
}

cmd_test () {
  local status=0 summary sanitized
  install_missing_packages
  build
  build_sanitized
  build_fuzz_targets

  # The UI tests run one at a time and leave a core idle: the sanitized core suite runs
  # beside the headless suite, its output kept until both are done. It is the longer of
  # the two: the fuzz targets run once the headless suite is done, while it finishes.
  say "Running the tests, and the core suite under the sanitizers beside them"
  run_sanitized_core_tests > "$sanitize_dir/run.log" 2>&1 &
  sanitized=$!
  run_headless_tests || status=1
  say "Running the fuzz targets"
  run_fuzz_targets || status=1
  wait "$sanitized" || status=1
  say "The core suite under the sanitizers"
  cat "$sanitize_dir/run.log"

  summary=$(summarise "$build_dir/meson-logs/testlog.json" \
                      "$sanitize_dir/meson-logs/testlog.json" \
                      "$fuzz_dir/meson-logs/testlog.json")
  case "$summary" in
    *" 0 failed"*) ;;
    *) status=1 ;;
  esac
  echo "$summary"
  return $status
}

# The benchmarks print their figures and one table; none fails on a time, a failed check
# fails the run (bench/README.md). Arguments go to bench/run.py, e.g. --only pull.
cmd_bench () {
  install_missing_packages
  build
  say "Running the benchmarks"
  run_headless /usr/bin/python3 "$top/bench/run.py" --build "$top/$build_dir" "$@"
}

case "${1:-}" in
  run)
    shift
    cmd_run "$@"
    ;;
  test)
    cmd_test
    ;;
  bench)
    shift
    cmd_bench "$@"
    ;;
  *)
    echo "Usage: $0 run|test|bench [OPTION…]" >&2
    exit 2
    ;;
esac
