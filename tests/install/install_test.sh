#!/usr/bin/env bash
# Installs saslkit into a temporary prefix and uses it as a user would:
#   1. configures a fresh build directory (tests and benchmarks off) and runs `meson install`;
#   2. checks the installed files: shared and static library, umbrella header, pkg-config file,
#      the command and its manual page;
#   3. compiles every installed header alone with `pkg-config --cflags saslkit` (a public header
#      that includes something not installed fails here);
#   4. builds tests/install/tiny.cc with `pkg-config --cflags --libs saslkit`, once against the
#      shared library and once against libsaslkit.a plus the libraries of its Requires.private
#      (every other library stays shared: Debian ships no static krb5), runs both and checks
#      their output;
#   5. runs the installed `saslkit --help` and `--version`, renders the manual page with `man -l`
#      and checks that every option the help lists is in it.
# No network. Removes its temporary directory. Usage: tests/install/install_test.sh [SOURCE_DIR]
set -euo pipefail
src=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
cxx=${CXX:-c++}
jobs=$(nproc 2>/dev/null || echo 2)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/saslkit-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

step "configure, build and install into $prefix"
# Unoptimised: this checks what is installed and how it links, not how fast it runs.
meson setup "$tmp/build" "$src" --prefix "$prefix" --libdir lib -Dtests=false \
  -Dbenchmarks=false -Doptimization=0 -Ddebug=false >"$tmp/setup.log" 2>&1 \
  || { cat "$tmp/setup.log"; fail "meson setup"; }
ninja -C "$tmp/build" -j "$jobs" >"$tmp/build.log" 2>&1 || { tail -50 "$tmp/build.log"; fail "build"; }
meson install -C "$tmp/build" --quiet >"$tmp/install.log" 2>&1 \
  || { cat "$tmp/install.log"; fail "meson install"; }

step "installed files"
for f in lib/libsaslkit.a lib/libsaslkit.so include/saslkit/saslkit.h lib/pkgconfig/saslkit.pc \
         lib/libsaslkit-oauth.so lib/pkgconfig/saslkit-oauth.pc bin/saslkit share/man/man1/saslkit.1; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
pkg-config --exists --print-errors saslkit || fail "pkg-config cannot use saslkit.pc"
cflags=$(pkg-config --cflags saslkit)
case " $cflags " in
  *" -I$prefix/include "*) ;;
  *) fail "pkg-config --cflags lacks -I$prefix/include (for <saslkit/saslkit.h>): $cflags" ;;
esac
if grep -q "$src" "$prefix/lib/pkgconfig/saslkit.pc"; then fail "saslkit.pc names the source tree"; fi
# Headers are <saslkit/sasl/policy.h>: no folder named sasl/ on a user's include path.
case " $cflags " in
  *"/include/saslkit "*) fail "pkg-config --cflags puts include/saslkit on the path: $cflags" ;;
esac
[ -e "$prefix/include/saslkit/sasl/policy.h" ] || fail "not installed: include/saslkit/sasl/policy.h"

step "the shared libraries export the public API and nothing internal"
for lib in libsaslkit.so libsaslkit-oauth.so; do
  nm -DC --defined-only "$prefix/lib/$lib" >"$tmp/exports" || fail "nm $lib"
  leaked=$(grep -E 'saslkit::internal::|\(anonymous namespace\)' "$tmp/exports" | head -5 || true)
  [ -z "$leaked" ] || fail "$lib exports internal symbols: $leaked"
done
nm -DC --defined-only "$prefix/lib/libsaslkit.so" >"$tmp/exports"
for public in 'saslkit::BuiltinRegistry()' 'saslkit::SelectionPolicy::Choose' 'saslkit::Base64Encode' \
              'saslkit::NeedsWith' 'saslkit::SmtpClient::Open' 'saslkit::TlsFactsOf'; do
  grep -qF "$public" "$tmp/exports" || fail "libsaslkit.so does not export $public"
done
echo "$(grep -c 'saslkit::' "$tmp/exports") saslkit symbols exported, none internal"

step "every installed header compiles alone"
(cd "$prefix/include/saslkit" && find . -name '*.h' | sed 's|^\./||' | sort) >"$tmp/headers"
[ "$(wc -l <"$tmp/headers")" -gt 30 ] || fail "only $(wc -l <"$tmp/headers") headers installed"
export cxx cflags tmp
# shellcheck disable=SC2016  # expanded by the inner shell
xargs -P "$jobs" -I{} sh -c 'printf "#include <saslkit/%s>\n" "$1" \
    | $cxx -std=c++20 -fsyntax-only -x c++ $cflags - 2>"$tmp/h.$(echo "$1" | tr / _).err" \
    || { echo "header does not compile alone: $1" >&2; cat "$tmp/h.$(echo "$1" | tr / _).err" >&2; exit 255; }' \
  _ {} <"$tmp/headers" || fail "a header does not compile alone"
echo "$(wc -l <"$tmp/headers") headers"

check_tiny() {  # check_tiny BINARY
  local out
  out=$(LD_LIBRARY_PATH=$prefix/lib "$1") || fail "$1 exited with $?"
  grep -qx 'order: SCRAM-SHA-256 GSSAPI CRAM-MD5 PLAIN LOGIN' <<<"$out" || fail "$1 printed: $out"
  grep -qx 'skipped XOAUTH2: .*' <<<"$out" || fail "$1 printed: $out"
  grep -qx 'base64: c2FzbGtpdA==' <<<"$out" || fail "$1 printed: $out"
}

step "tiny program, shared: \$(pkg-config --cflags --libs saslkit)"
# shellcheck disable=SC2046  # the flags are meant to split
$cxx -std=c++20 "$src/tests/install/tiny.cc" -o "$tmp/tiny-shared" $(pkg-config --cflags --libs saslkit)
readelf -d "$tmp/tiny-shared" | grep -q 'NEEDED.*libsaslkit\.so' || fail "tiny-shared does not use libsaslkit.so"
check_tiny "$tmp/tiny-shared"

step "tiny program, static: \$(pkg-config --static --cflags --libs saslkit), libsaslkit.a"
# libsaslkit.a and what `pkg-config --static` lists for it (OpenSSL, krb5-gssapi, libidn,
# abseil): no libcurl, which only libsaslkit-oauth needs. (Debian ships no static MIT krb5, so
# the system libraries themselves stay shared.)
if pkg-config --static --libs saslkit | grep -q -- '-lcurl'; then fail "saslkit.pc pulls in libcurl"; fi
# shellcheck disable=SC2086
static_flags=$(pkg-config --static --cflags --libs saslkit \
  | sed -E 's/(^| )-lsaslkit( |$)/\1-l:libsaslkit.a\2/')
# shellcheck disable=SC2086
$cxx -std=c++20 "$src/tests/install/tiny.cc" -o "$tmp/tiny-static" $static_flags
if readelf -d "$tmp/tiny-static" | grep -q 'NEEDED.*libsaslkit'; then fail "tiny-static uses libsaslkit.so"; fi
if readelf -d "$tmp/tiny-static" | grep -q 'NEEDED.*libcurl'; then fail "tiny-static needs libcurl"; fi
check_tiny "$tmp/tiny-static"

step "the OAuth part: \$(pkg-config --cflags --libs saslkit-oauth)"
pkg-config --exists --print-errors saslkit-oauth || fail "pkg-config cannot use saslkit-oauth.pc"
# shellcheck disable=SC2046
$cxx -std=c++20 "$src/tests/install/tiny_oauth.cc" -o "$tmp/tiny-oauth" \
  $(pkg-config --cflags --libs saslkit-oauth)
out=$(LD_LIBRARY_PATH=$prefix/lib "$tmp/tiny-oauth") || fail "tiny-oauth exited with $?"
grep -qx 'refresh token source: yes' <<<"$out" || fail "tiny-oauth printed: $out"

if [ -e /usr/include/asio.hpp ]; then
  step "the asio part: \$(pkg-config --cflags --libs saslkit-asio), examples/asio_login.cc"
  pkg-config --exists --print-errors saslkit-asio || fail "pkg-config cannot use saslkit-asio.pc"
  [ -e "$prefix/include/saslkit/asio/async_login.h" ] || fail "not installed: saslkit/asio/async_login.h"
  # shellcheck disable=SC2046
  $cxx -std=c++20 -I"$src" "$src/examples/asio_login.cc" -o "$tmp/asio_login" \
    $(pkg-config --cflags --libs saslkit-asio) || fail "examples/asio_login.cc does not build"
  rc=0
  LD_LIBRARY_PATH=$prefix/lib "$tmp/asio_login" >/dev/null 2>"$tmp/asio.err" || rc=$?
  [ "$rc" -eq 2 ] && grep -q usage "$tmp/asio.err" || fail "asio_login without arguments: $(cat "$tmp/asio.err")"
fi

step "the installed command and its manual page"
help=$(LD_LIBRARY_PATH=$prefix/lib "$prefix/bin/saslkit" --help) || fail "saslkit --help exited with $?"
grep -q '^SYNOPSIS' <<<"$help" || fail "saslkit --help has no SYNOPSIS"
version=$(LD_LIBRARY_PATH=$prefix/lib "$prefix/bin/saslkit" --version)
man_file=$prefix/share/man/man1/saslkit.1
grep -q "^\.TH SASLKIT 1 .*\"${version}\"" "$man_file" \
  || fail "the manual page's .TH does not name '$version'"
man_text=$(MANWIDTH=100 man --warnings -l "$man_file" 2>"$tmp/man.err" | col -b)
[ ! -s "$tmp/man.err" ] || { cat "$tmp/man.err"; fail "man -l warns about saslkit.1"; }
grep -q '^SYNOPSIS' <<<"$man_text" || fail "man -l did not render saslkit.1"
missing=""
for option in $(grep -oE -- '(^|[ [])--[a-z][a-z0-9-]*' <<<"$help" | tr -d ' [' | sort -u); do
  grep -qE -- "(^|[^a-z-])$option([^a-z0-9-]|\$)" <<<"$man_text" || missing="$missing $option"
done
[ -z "$missing" ] || fail "options in --help but not in saslkit.1:$missing"
echo "install test: ok"
