#!/usr/bin/env bash
# Installs every Debian 12 package that saslkit builds, tests and runs its lab with.
# Idempotent; needs root. The packages' own daemons are kept from starting (policy-rc.d),
# so nothing listens on the machine's standard ports: the lab starts its own instances.
set -euo pipefail
pkgs=(
  meson ninja-build pkg-config g++ clang libclang-rt-14-dev
  libssl-dev openssl libkrb5-dev libabsl-dev libgtest-dev libgmock-dev googletest libbenchmark-dev
  libidn-dev libcurl4-openssl-dev rapidjson-dev libasio-dev
  dovecot-core dovecot-imapd dovecot-pop3d dovecot-submissiond dovecot-gssapi
  krb5-kdc krb5-admin-server krb5-user
  libsasl2-dev libgsasl-dev sasl2-bin libsasl2-modules libsasl2-modules-gssapi-mit
  cyrus-common libwrap0 postfix
  python3 valgrind ca-certificates curl
  chromium
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-deps: installing ${missing[*]}" >&2
  policy=/usr/sbin/policy-rc.d
  made_policy=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; made_policy=1; fi
  trap '[ $made_policy = 1 ] && rm -f "$policy"' EXIT
  export DEBIAN_FRONTEND=noninteractive
  echo "krb5-config krb5-config/default_realm string SASLKIT.TEST" | debconf-set-selections
  echo "krb5-config krb5-config/add_servers_realm string SASLKIT.TEST" | debconf-set-selections
  echo "krb5-config krb5-config/kerberos_servers string 127.0.0.1" | debconf-set-selections
  echo "krb5-config krb5-config/admin_server string 127.0.0.1" | debconf-set-selections
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Stop anything the packages started despite policy-rc.d.
  for s in dovecot krb5-kdc krb5-admin-server saslauthd cyrus-imapd postfix; do
    (systemctl stop "$s" 2>/dev/null || service "$s" stop 2>/dev/null || true) >/dev/null 2>&1
  done
fi

# Cyrus imapd and pop3d, the lab's second SASL server (NTLM, SCRAM-*-PLUS): their packages
# declare a conflict with Dovecot's (both provide imap-server/pop3-server), so they are
# unpacked from the Debian archive, at the version of the installed cyrus-common (master and
# libraries), into a folder of their own instead of being installed.
cyrus_dir=/opt/saslkit-lab/cyrus
cyrus_version=$(dpkg-query -W -f='${Version}' cyrus-common)
if [ "$(cat "$cyrus_dir/VERSION" 2>/dev/null)" != "$cyrus_version" ]; then
  echo "setup-deps: unpacking cyrus-imapd and cyrus-pop3d $cyrus_version into $cyrus_dir" >&2
  debs=$(mktemp -d)
  chmod 755 "$debs"   # apt's download user must be able to write there
  chown _apt "$debs" 2>/dev/null || true
  (cd "$debs" && apt-get download -qq "cyrus-imapd=$cyrus_version" "cyrus-pop3d=$cyrus_version") \
    || { apt-get update -qq && (cd "$debs" && apt-get download -qq "cyrus-imapd=$cyrus_version" "cyrus-pop3d=$cyrus_version"); }
  rm -rf "$cyrus_dir"
  mkdir -p "$cyrus_dir"
  for d in "$debs"/*.deb; do dpkg-deb -x "$d" "$cyrus_dir"; done
  rm -rf "$debs"
  test -x "$cyrus_dir/usr/lib/cyrus/bin/imapd" && test -x "$cyrus_dir/usr/lib/cyrus/bin/pop3d"
  echo "$cyrus_version" >"$cyrus_dir/VERSION"
fi

# The lab's OAuth component (tests/lab/oidc.sh): oidc-provider and playwright-core from the npm
# registry, at the versions pinned in tests/lab/oidc/package-lock.json, installed into a cache
# folder of their own (never into the checkout). playwright-core drives Debian's chromium; it
# downloads no browser. Needs Node.js >= 20 and npm (on PATH; Debian 12's nodejs is too old).
oidc_dir=${SASLKIT_OIDC_MODULES:-/opt/saslkit-lab/oidc}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup-deps: node and npm not found: the lab's OAuth component will not start" >&2
elif ! cmp -s "$here/tests/lab/oidc/package-lock.json" "$oidc_dir/package-lock.json" \
     || [ ! -d "$oidc_dir/node_modules/oidc-provider" ]; then
  echo "setup-deps: npm ci (oidc-provider, playwright-core) into $oidc_dir" >&2
  mkdir -p "$oidc_dir"
  cp "$here/tests/lab/oidc/package.json" "$here/tests/lab/oidc/package-lock.json" "$oidc_dir/"
  (cd "$oidc_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
