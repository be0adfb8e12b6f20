#!/usr/bin/env bash
# Builds and runs saslkit's libFuzzer targets (tests/fuzz/*_fuzzer.cc) under AddressSanitizer and
# UndefinedBehaviorSanitizer, in build-fuzz/ with clang.
#
#   bash tests/fuzz/run.sh --smoke              # every target ~9 s on its seeds (CI: ~2 min)
#   bash tests/fuzz/run.sh --long 3600          # every target an hour; corpus kept in build-fuzz
#   bash tests/fuzz/run.sh --long 600 scram adapter   # only these targets
#   bash tests/fuzz/run.sh --capture            # re-record the lab seeds (lab must be running)
#   bash tests/fuzz/run.sh --setup              # only configure build-fuzz (tools/test.sh)
#
# Seeds live in tests/fuzz/corpus/<target>/ and are never written to; a run's new inputs go to
# build-fuzz/fuzz-corpus/<target>/ and crashes to build-fuzz/fuzz-crashes/. A crash makes the
# script exit non-zero and prints the command that reproduces it; copy the input into the
# target's seed folder (as crash-<what>) so every later smoke run replays it, and add a unit test.
# To fold a long run's finds into the seeds (kept small):
#   build-fuzz/tests/fuzz/X_fuzzer -merge=1 tests/fuzz/corpus/X build-fuzz/fuzz-corpus/X
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
build="$root/build-fuzz"
seeds="$root/tests/fuzz/corpus"
targets_all=(base64 smtp_reply pop3_response imap_response digest_md5 scram ntlm_challenge
             oauth_error gssapi_security_layer mechanisms adapter)

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

mode=${1:-}
seconds=9
case "$mode" in
  --smoke) shift ;;
  --long) [ $# -ge 2 ] || usage; seconds=$2; shift 2 ;;
  --capture) shift ;;
  --setup) shift ;;
  *) usage ;;
esac
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${targets_all[@]}")

if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ is missing (tools/setup-deps.sh installs clang and libclang-rt-14-dev)" >&2
  exit 1
fi
if ! clang++ -print-file-name=libclang_rt.fuzzer-x86_64.a | grep -q /; then
  echo "fuzz: libFuzzer is missing (Debian package libclang-rt-14-dev)" >&2
  exit 1
fi

# The library is instrumented for coverage (fuzzer-no-link); the targets link libFuzzer itself.
# asio is off here: clang 14 cannot assemble its coroutines with these sanitizers ("Cannot
# represent a difference across sections"). An existing directory gets the same options.
options=(-Dbuildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false
         -Dbenchmarks=false -Dfuzzing=true -Dasio=disabled -Dcpp_args=-fsanitize=fuzzer-no-link)
if [ -f "$build/build.ninja" ]; then
  meson configure "$build" "${options[@]}" >/dev/null
else
  CC=clang CXX=clang++ meson setup "$build" "${options[@]}" >/dev/null
fi
[ "$mode" = --setup ] && exit 0
ninja -C "$build" fuzzers >/dev/null

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

if [ "$mode" = --capture ]; then
  set -a; . "${SASLKIT_LAB_DIR:-/tmp/saslkit-lab}/env"; set +a
  exec "$build/tests/fuzz/capture_seeds" "$seeds"
fi

mkdir -p "$build/fuzz-crashes"
status=0
printf '%-24s %9s %8s %7s %6s  %s\n' target runs exec/s corpus secs result
start_all=$(date +%s)
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/${t}_fuzzer"
  [ -x "$bin" ] || { echo "fuzz: no target $t" >&2; exit 2; }
  work="$build/fuzz-corpus/$t"
  # A smoke run starts from the seeds alone, so its result depends on the tree, not on old runs.
  [ "$mode" = --smoke ] && rm -rf "$work"
  mkdir -p "$work"
  log="$build/fuzz-crashes/$t.log"
  start=$(date +%s)
  result=ok
  if ! "$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2560 -max_len=16384 \
      -print_final_stats=1 -artifact_prefix="$build/fuzz-crashes/$t-" \
      "$work" "$seeds/$t" >"$log" 2>&1; then
    result="FAILED (log: $log)"
    status=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  corpus=$(find "$work" -type f | wc -l)
  printf '%-24s %9s %8s %7s %6s  %s\n' "$t" "${runs:-?}" "${speed:-?}" "$corpus" \
    "$(( $(date +%s) - start ))" "$result"
  if [ "$result" != ok ]; then
    grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz invariant|.*runtime error)' "$log" | head -5 || true
    crash=$(ls -t "$build/fuzz-crashes/$t-"* 2>/dev/null | head -1 || true)
    [ -n "$crash" ] && echo "  reproduce: $bin $crash"
  fi
done
echo "fuzz: ${#targets[@]} targets in $(( $(date +%s) - start_all )) s"
exit $status
