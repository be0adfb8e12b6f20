#!/usr/bin/env bash
# Installs what bench/ needs on Debian 12 (as root): Google Benchmark, the peers' development
# packages (Cyrus SASL with its client plugins, GNU SASL), valgrind (callgrind and its client
# request header), strace, and GNU time and curl for the whole-process comparison. The library's own build dependencies come from
# tools/setup-deps.sh.
set -euo pipefail

packages=(
  libbenchmark-dev
  libsasl2-dev libsasl2-modules
  libgsasl-dev
  valgrind
  strace
  python3
  time
  curl
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "bench: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "bench: run as root (or install these packages yourself): ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
