#!/usr/bin/env bash
# Runs the lab tests (real Dovecot, MIT KDC, OAuth endpoints; the lab must be running:
# tests/lab/lab.sh start) under valgrind's memcheck and reports memory errors and definite leaks.
#
#   bash tests/valgrind.sh                       # build-ci's lab_tests (configured as CI does)
#   bash tests/valgrind.sh --build build-hostile --gtest_filter='Smtp*'
#
# Exits non-zero when memcheck reports an error or a definite leak, or a test fails. The full
# log is in BUILD/valgrind-lab.log; the summary (errors, leaks, time) is printed last.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=build-ci
if [ "${1:-}" = --build ]; then
  build=$2
  shift 2
fi

command -v valgrind >/dev/null || { echo "valgrind: not installed (apt-get install valgrind)" >&2; exit 1; }
env_file="${SASLKIT_LAB_DIR:-/tmp/saslkit-lab}/env"
if ! bash tests/lab/lab.sh status >/dev/null 2>&1 || [ ! -f "$env_file" ]; then
  echo "valgrind: the lab is not running (bash tests/lab/lab.sh start)" >&2
  exit 1
fi
set -a
. "$env_file"
set +a

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --werror -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$build" tests/lab_tests tools/saslkit >/dev/null
export SASLKIT_BIN="$root/$build/tools/saslkit"

log="$root/$build/valgrind-lab.log"
start=$(date +%s)
status=0
# Definite leaks count as errors; krb5, OpenSSL and glibc keep reachable caches by design.
valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --show-leak-kinds=definite \
  --errors-for-leak-kinds=definite --num-callers=30 --log-file="$log" \
  "$build/tests/lab_tests" "$@" >"$log.out" 2>&1 || status=$?
seconds=$(( $(date +%s) - start ))

tail -3 "$log.out"
errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -1)
definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes in \([0-9,]*\) blocks.*/\1 bytes in \2 blocks/p' "$log" | tail -1)
passed=$(grep -c '^\[       OK \]' "$log.out" || true)
failed=$(grep -c '^\[  FAILED  \].*(' "$log.out" || true)
echo "valgrind: ${seconds} s, tests ${passed} passed ${failed} failed, memcheck errors ${errors:-?}," \
     "definitely lost ${definite:-0 bytes}; log $log"
case $status in
  0) ;;
  99) echo "valgrind: memcheck found errors (see the log)" >&2 ;;
  *) echo "valgrind: lab tests failed (exit $status; see $log.out)" >&2 ;;
esac
exit $status
