#!/usr/bin/env bash
# The main job, on a fresh Debian 12 machine as root: installs what is missing, builds saslkit,
# starts the local lab (Dovecot, Cyrus IMAP, Postfix, MIT KDC, OAuth endpoints on 127.0.0.1),
# runs `saslkit auth` with every mechanism over SMTP, POP3 and IMAP against Dovecot, and with
# NTLM and SCRAM-*-PLUS (which Dovecot lacks) against Cyrus SASL (Cyrus IMAP's IMAP and POP3,
# Postfix's SMTP), prints the tables (protocol x mechanism: ok, time, round trips), and stops
# the lab.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-deps.sh
if [ -f build/build.ninja ]; then :; else meson setup build -Dbuildtype=release >/dev/null; fi
ninja -C build tools/saslkit >/dev/null
saslkit=$(pwd)/build/tools/saslkit

lab_started=0
cleanup() { [ "$lab_started" = 1 ] && bash tests/lab/lab.sh stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
bash tests/lab/lab.sh start >/dev/null
lab_started=1
set -a
. "${SASLKIT_LAB_DIR:-/tmp/saslkit-lab}/env"
set +a

out=$(mktemp -d)
tokenfile="$out/token"
printf '%s\n' "$SASLKIT_LAB_OAUTH_TOKEN" > "$tokenfile"

run() {  # run PROTOCOL URL MECH [extra args...]
  local proto=$1 url=$2 mech=$3; shift 3
  local env_pw=("SASLKIT_PASSWORD=$SASLKIT_LAB_ALICE_PASS")
  local args=(--user "$SASLKIT_LAB_ALICE_USER" --cafile "$SASLKIT_LAB_CA" --mech "$mech" --json
              --timeout 10)
  case "$mech" in
    GSSAPI) env_pw=("SASLKIT_PASSWORD=") ;;  # the current user's ticket (KRB5CCNAME), no password
    XOAUTH2|OAUTHBEARER) args+=(--token-file "$tokenfile") ;;
    EXTERNAL) args+=(--cert "$SASLKIT_LAB_CLIENT_CERT" --key "$SASLKIT_LAB_CLIENT_KEY") ;;
    ANONYMOUS) args=(--cafile "$SASLKIT_LAB_CA" --mech "$mech" --json --timeout 10) ;;
  esac
  env "${env_pw[@]}" "$saslkit" auth "$url" "${args[@]}" "$@" \
    > "$out/$proto-$mech.json" 2>"$out/$proto-$mech.err" || true
}

common=(PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 GSSAPI XOAUTH2 OAUTHBEARER
        EXTERNAL ANONYMOUS)
for m in "${common[@]}"; do
  run smtp "smtp://localhost:$SASLKIT_LAB_SUBMISSION_PORT" "$m" --starttls required
  run pop3 "pop3://localhost:$SASLKIT_LAB_POP3_PORT" "$m" --starttls required
  run imap "imap://localhost:$SASLKIT_LAB_IMAP_PORT" "$m" --starttls required
done
for m in +APOP +USER; do run pop3 "pop3://localhost:$SASLKIT_LAB_POP3_PORT" "$m" --starttls required; done
run imap "imap://localhost:$SASLKIT_LAB_IMAP_PORT" +LOGIN --starttls required
cyrus=(NTLM SCRAM-SHA-1-PLUS SCRAM-SHA-256-PLUS)
for m in "${cyrus[@]}"; do
  run cyrus-pop3 "pop3://localhost:$SASLKIT_LAB_CYRUS_POP3_PORT" "$m" --starttls required
  run cyrus-imap "imap://localhost:$SASLKIT_LAB_CYRUS_IMAP_PORT" "$m" --starttls required
  run cyrus-pop3s "pop3s://localhost:$SASLKIT_LAB_CYRUS_POP3S_PORT" "$m"
  run cyrus-imaps "imaps://localhost:$SASLKIT_LAB_CYRUS_IMAPS_PORT" "$m"
  run postfix-smtp "smtp://localhost:$SASLKIT_LAB_POSTFIX_SUBMISSION_PORT" "$m" --starttls required
done

python3 - "$out" "${common[@]}" +APOP +USER +LOGIN -- "${cyrus[@]}" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
split = sys.argv.index("--")
tables = [
    ("saslkit against the lab's Dovecot (STARTTLS, verified certificates)",
     ["smtp", "pop3", "imap"], sys.argv[2:split]),
    ("\nsaslkit against Cyrus SASL 2.1.28 in the lab's Cyrus IMAP 3.6 (TLS 1.2, tls-unique binding)"
     "\nand Postfix 3.7 (which passes no channel binding, so offers no -PLUS)",
     ["cyrus-pop3", "cyrus-imap", "cyrus-pop3s", "cyrus-imaps", "postfix-smtp"],
     sys.argv[split + 1:]),
]
failures = 0
for title, protos, mechs in tables:
    print(title + "\n")
    print(f"{'mechanism':<19}" + "".join(f"{p:<26}" for p in protos))
    for m in mechs:
        row = f"{m:<19}"
        for p in protos:
            f = out / f"{p}-{m}.json"
            if not f.exists():
                row += f"{'-':<26}"; continue
            try:
                r = json.loads(f.read_text().strip().splitlines()[-1])
            except Exception:
                err = (out / f"{p}-{m}.err").read_text().strip().splitlines()
                row += f"{'error: ' + (err[-1][:17] if err else '?'):<26}"; failures += 1; continue
            if r["ok"]:
                cell = f"ok {r['elapsed_ms']:>4} ms {r['round_trips']:>2} rt"
            elif r["error_kind"] == "no_supported_mechanisms" and "server offers [" in r["error"] \
                    and m not in r["error"].split("server offers [")[1].split("]")[0].split(", "):
                cell = "not offered by server"
            else:
                cell = f"FAIL {r['error_kind']}"; failures += 1
            row += f"{cell:<26}"
        print(row)
print("\nrt = round trips from connect to authenticated (greeting, capabilities, STARTTLS and its")
print("handshake, AUTH); the SMTP and POP3 minimum with STARTTLS is 6, IMAP's 5 with SASL-IR.")
print(f"{failures} failed; details: saslkit auth URL --mech NAME -v")
sys.exit(1 if failures else 0)
PY
