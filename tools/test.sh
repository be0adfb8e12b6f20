#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root) and runs every saslkit test:
#   1. installs the Debian packages (tools/setup-deps.sh),
#   2. builds with warnings as errors and runs the unit tests,
#   3. starts the lab (real Dovecot, Cyrus IMAP, Postfix, MIT KDC, OAuth endpoints on 127.0.0.1)
#      and runs the lab
#      tests, then stops it,
#   4. builds again with clang under AddressSanitizer + UndefinedBehaviorSanitizer and runs the
#      unit and lab tests there too (and the lab tests once under valgrind),
#   5. runs, under ThreadSanitizer, many logins sharing the library's shared objects against the
#      lab, and the random source's tests (two small builds),
#   6. runs every libFuzzer target briefly from the ASan build.
# Prints "tests: N passed, M failed" last; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

bash tools/setup-deps.sh

results="$root/build-test-results"
rm -rf "$results"
mkdir -p "$results"

configure() {  # configure DIR [meson options...]
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson configure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}

run_suite() {  # run_suite BUILD_DIR SUITE LABEL
  local dir=$1 suite=$2 label=$3
  GTEST_OUTPUT="xml:$results/$label/" meson test -C "$dir" --suite "$suite" --print-errorlogs \
    --num-processes 1
}

lab_started=0
cleanup() { [ "$lab_started" = 1 ] && bash tests/lab/lab.sh stop >/dev/null 2>&1 || true; }
trap cleanup EXIT

status=0
echo "== build (warnings are errors)"
# The benchmarks are not run here; bench/run builds them in its own release directory.
configure build-ci --werror -Dbuildtype=debugoptimized -Dbenchmarks=false
ninja -C build-ci -j "$jobs"

echo "== lab: real servers on 127.0.0.1"
bash tests/lab/lab.sh start
lab_started=1
# Unit tests that pair our client with a library's own server side (GSS-API acceptor with the
# lab's keytab) read the lab's environment too.
set -a
. "${SASLKIT_LAB_DIR:-/tmp/saslkit-lab}/env"
set +a

echo "== unit tests"
run_suite build-ci unit plain-unit || status=1
echo "== lab tests"
run_suite build-ci lab plain-lab || status=1
bash tests/valgrind.sh || status=1  # the lab tests again under valgrind memcheck
echo "== install: headers, pkg-config (shared and static), man page; saslkit as a meson subproject"
run_suite build-ci install install || status=1

echo "== build and test under AddressSanitizer + UndefinedBehaviorSanitizer (clang)"
# One sanitizer build serves the unit and lab tests and the libFuzzer targets (tests/fuzz/run.sh
# reuses build-fuzz); ThreadSanitizer gets two small builds of only what it runs.
# The options live in tests/fuzz/run.sh (`run.sh --setup`), which reuses this directory.
bash tests/fuzz/run.sh --setup
ninja -C build-fuzz -j "$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suite build-fuzz unit asan-unit || status=1
run_suite build-fuzz lab asan-lab || status=1

echo "== objects shared across threads, under ThreadSanitizer (clang), against the lab"
# 16 threads x 4 blocking logins sharing one Registry, policy, credentials, server memory, SCRAM
# cache and TLS session cache (tests/threads/shared_objects_lab_test.cc). build-tsan-lib/ builds
# only that test and the library parts it links, at -O1 without debug info (a few minutes).
if [ ! -f build-tsan-lib/build.ninja ]; then
  CC=clang CXX=clang++ meson setup build-tsan-lib -Dbuildtype=plain -Dcpp_args=-O1 \
    -Db_sanitize=thread -Db_lundef=false -Dbenchmarks=false -Doauth_refresh=disabled >/dev/null
fi
{ ninja -C build-tsan-lib -j "$jobs" tests/threads_lab_tests &&
  GTEST_OUTPUT="xml:$results/tsan-threads/" TSAN_OPTIONS=halt_on_error=1 \
    build-tsan-lib/tests/threads_lab_tests; } || status=1

bash tests/lab/lab.sh stop >/dev/null
lab_started=0

echo "== the default random source under ThreadSanitizer"
# Only tests/sasl/random_test.cc and the four files it needs, compiled with -fsanitize=thread in
# build-tsan/ (about a minute): the whole project under TSan would be a third full build.
mkdir -p build-tsan
# shellcheck disable=SC2046
clang++ -std=c++20 -O1 -g -fsanitize=thread -I. -Iinclude -o build-tsan/random_test \
  tests/sasl/random_test.cc base/random.cc base/base64.cc base/secret.cc base/status.cc \
  $(pkg-config --cflags --libs gtest_main absl_status absl_statusor absl_strings libcrypto) &&
  GTEST_OUTPUT="xml:$results/tsan-random/" TSAN_OPTIONS=halt_on_error=1 build-tsan/random_test ||
  status=1

echo "== fuzz targets, a short run each (ASan + UBSan)"
bash tests/fuzz/run.sh --smoke || status=1

python3 - "$results" <<'PY' || status=1
import sys, pathlib, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for f in pathlib.Path(sys.argv[1]).rglob("*.xml"):
    root = ET.parse(f).getroot()
    for case in root.iter("testcase"):
        if case.find("failure") is not None:
            failed += 1
        elif case.get("status") == "notrun" or case.get("result") == "skipped":
            skipped += 1
        else:
            passed += 1
print(f"tests: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(1 if failed or passed == 0 else 0)
PY
exit $status
