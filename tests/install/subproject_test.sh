#!/usr/bin/env bash
# Uses saslkit as a meson subproject: copies tests/install/subproject/ into a temporary
# directory, links this source tree in as subprojects/saslkit, and builds and runs its tiny
# program with saslkit's tests and benchmarks off. No network. Removes its temporary directory.
# Usage: tests/install/subproject_test.sh [SOURCE_DIR]
set -euo pipefail
src=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/saslkit-subproject.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

cp -RL "$src/tests/install/subproject" "$tmp/project"
mkdir "$tmp/project/subprojects"
ln -s "$src" "$tmp/project/subprojects/saslkit"

echo "== configure and build a project that uses saslkit as a subproject"
# --force-fallback-for: use the subproject even where a saslkit.pc is installed. Unoptimised:
# this checks that the build works, not how fast it runs.
meson setup "$tmp/build" "$tmp/project" --force-fallback-for=saslkit \
  -Dsaslkit:tests=false -Dsaslkit:benchmarks=false -Doptimization=0 -Ddebug=false \
  >"$tmp/setup.log" 2>&1 || { cat "$tmp/setup.log"; fail "meson setup"; }
grep -q 'Subproject saslkit finished' "$tmp/setup.log" || { cat "$tmp/setup.log"; fail "saslkit was not used as a subproject"; }
ninja -C "$tmp/build" -j "$jobs" >"$tmp/build.log" 2>&1 || { tail -50 "$tmp/build.log"; fail "build"; }

out=$("$tmp/build/tiny") || fail "tiny exited with $?"
grep -qx 'order: SCRAM-SHA-256 GSSAPI CRAM-MD5 PLAIN LOGIN' <<<"$out" || fail "tiny printed: $out"
grep -qx 'base64: c2FzbGtpdA==' <<<"$out" || fail "tiny printed: $out"
echo "subproject test: ok"
