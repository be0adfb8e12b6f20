#!/usr/bin/env bash
# saslkit test lab: real Dovecot, Cyrus IMAP, Postfix (Cyrus SASL), MIT KDC, SMTP sink and OAuth
# endpoints on 127.0.0.1.
#
#   tests/lab/lab.sh start    (re)create the lab state folder and start every server
#   tests/lab/lab.sh stop     stop exactly the processes the lab started
#   tests/lab/lab.sh status   show the recorded processes and which ports answer
#   tests/lab/lab.sh check    self-check the running lab with Python's own clients (check.py)
#
# State folder: $SASLKIT_LAB_DIR (default /tmp/saslkit-lab). `start` writes $LAB/env,
# KEY=VALUE lines for the tests. Needs root and the packages of tools/setup-deps.sh.
# Nothing under /etc is read or changed: every server gets its own configuration file.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=${SASLKIT_LAB_DIR:-/tmp/saslkit-lab}
PY=/usr/bin/python3
MARKER=.saslkit-lab
REALM=SASLKIT.TEST
START_TIMEOUT=${SASLKIT_LAB_START_TIMEOUT:-30}   # seconds to wait for all ports

IMAP_PORT=10143 IMAPS_PORT=10993 POP3_PORT=10110 POP3S_PORT=10995
SUBMISSION_PORT=10587 SUBMISSIONS_PORT=10465 SINK_PORT=10025 KDC_PORT=10088
OAUTH_HTTP_PORT=10080 OAUTH_HTTPS_PORT=10443
CYRUS_IMAP_PORT=10144 CYRUS_IMAPS_PORT=10994 CYRUS_POP3_PORT=10111 CYRUS_POP3S_PORT=10996
CYRUS_IMAPS_TLS13_PORT=10998
POSTFIX_SUBMISSION_PORT=10588 POSTFIX_SUBMISSIONS_PORT=10466
CYRUS_BIN=/usr/lib/cyrus/bin                                      # master (cyrus-common)
CYRUS_SERVERS=${SASLKIT_CYRUS_SERVERS:-/opt/saslkit-lab/cyrus/usr/lib/cyrus/bin}  # imapd, pop3d

ALICE_PASS=alice-pass-1 BOB_PASS=bob-pass-2 JOSE_PASS='pässwörd'
REFRESH_TOKEN=lab-refresh-1 CLIENT_ID=saslkit-lab

# name -> endpoints (probe.py KIND:PORT) it must serve; start order = this order, stop = reverse
SERVICES=(kdc smtp-sink oauth dovecot cyrus postfix)
declare -A SERVICE_PROBES=(
  [kdc]="tcp:$KDC_PORT"
  [smtp-sink]="smtp:$SINK_PORT"
  [oauth]="http:$OAUTH_HTTP_PORT https:$OAUTH_HTTPS_PORT"
  [dovecot]="imap:$IMAP_PORT imaps:$IMAPS_PORT pop3:$POP3_PORT pop3s:$POP3S_PORT smtp:$SUBMISSION_PORT smtps:$SUBMISSIONS_PORT"
  [cyrus]="imap:$CYRUS_IMAP_PORT imaps:$CYRUS_IMAPS_PORT pop3:$CYRUS_POP3_PORT pop3s:$CYRUS_POP3S_PORT imaps:$CYRUS_IMAPS_TLS13_PORT"
  [postfix]="smtp:$POSTFIX_SUBMISSION_PORT smtps:$POSTFIX_SUBMISSIONS_PORT"
)
declare -A SERVICE_LOG=(
  [kdc]="krb5/kdc.log krb5/kdc.stdout" [smtp-sink]=smtp-sink.log [oauth]=oauth.log
  [dovecot]="dovecot.log dovecot.stdout" [cyrus]=cyrus/master.log [postfix]=postfix/postfix.log
)

log() { printf 'lab: %s\n' "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

# ---- process bookkeeping ------------------------------------------------------------------
# A pid file holds "PID STARTTIME"; STARTTIME (field 22 of /proc/PID/stat) guards against a
# recycled PID, so only processes the lab started are ever signalled.

# proc_field PID INDEX: field of /proc/PID/stat after "(comm)": 0=state 1=ppid 19=starttime
proc_field() {
  local s
  { read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
  s=${s##*) }
  local -a f
  read -r -a f <<<"$s"
  printf '%s\n' "${f[$2]}"
}

# alive PID STARTTIME: the same process still runs (zombies count as gone)
alive() {
  local st start
  st=$(proc_field "$1" 0) || return 1
  [[ $st == Z || $st == X ]] && return 1
  start=$(proc_field "$1" 19) || return 1
  [[ $start == "$2" ]]
}

# descendants PID: "pid:starttime" of every descendant process
descendants() {
  local -A kids=()
  local stat p rest ppid
  for stat in /proc/[0-9]*/stat; do
    p=${stat#/proc/}; p=${p%/stat}
    { read -r rest <"$stat"; } 2>/dev/null || continue
    rest=${rest##*) }
    read -r _ ppid _ <<<"$rest"
    kids[$ppid]+=" $p"
  done
  local -a queue=("$1")
  local cur c start
  while [ ${#queue[@]} -gt 0 ]; do
    cur=${queue[0]}; queue=("${queue[@]:1}")
    for c in ${kids[$cur]:-}; do
      start=$(proc_field "$c" 19) || continue
      printf '%s:%s\n' "$c" "$start"
      queue+=("$c")
    done
  done
}

# wait_gone SECONDS pid:start...: 0 when all are gone
wait_gone() {
  local deadline=$((SECONDS + $1)); shift
  local e left
  while :; do
    left=0
    for e in "$@"; do alive "${e%%:*}" "${e#*:}" && left=1; done
    [ $left = 0 ] && return 0
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}

signal_all() {
  local sig=$1 e; shift
  for e in "$@"; do
    if alive "${e%%:*}" "${e#*:}"; then kill "-$sig" "${e%%:*}" 2>/dev/null || true; fi
  done
}

stop_service() {
  local name=$1 pidfile="$LAB/pids/$1" pid start
  [ -f "$pidfile" ] || return 0
  read -r pid start <"$pidfile" || true
  if [ -z "${pid:-}" ] || ! alive "$pid" "$start"; then
    rm -f "$pidfile"
    return 0
  fi
  local -a procs=("$pid:$start")
  mapfile -t -O 1 procs < <(descendants "$pid")
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone 10 "$pid:$start"; then
    log "$name did not stop on SIGTERM, sending SIGKILL"
    signal_all KILL "$pid:$start"
  fi
  # whatever the main process left behind (Dovecot normally stops its children itself)
  if ! wait_gone 5 "${procs[@]}"; then
    signal_all TERM "${procs[@]}"
    wait_gone 3 "${procs[@]}" || signal_all KILL "${procs[@]}"
  fi
  wait_gone 5 "${procs[@]}" || die "could not stop $name: $(printf '%s ' "${procs[@]}")"
  rm -f "$pidfile"
}

stop_all() {
  [ -d "$LAB/pids" ] || return 0
  local i
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do stop_service "${SERVICES[$i]}"; done
}

# spawn NAME LOGFILE CMD...: start CMD detached (new session, stdin /dev/null, output to
# LOGFILE) with a minimal environment plus the "KEY=VALUE" words of $SPAWN_ENV, as user
# $SPAWN_USER if set; record "PID STARTTIME" in $LAB/pids/NAME.
spawn() {
  local name=$1 logfile=$2; shift 2
  local pid start
  pid=$("$PY" - "$logfile" "$@" <<'EOF'
import os, subprocess, sys
logfile, cmd = sys.argv[1], sys.argv[2:]
env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/root"}
for kv in os.environ.get("SPAWN_ENV", "").split():
    k, _, v = kv.partition("=")
    env[k] = v
user = os.environ.get("SPAWN_USER") or None
kw = {}
if user:
    import pwd
    pw = pwd.getpwnam(user)
    kw = dict(user=pw.pw_uid, group=pw.pw_gid, extra_groups=[], cwd="/")
    env["HOME"] = "/"
with open(logfile, "ab") as log:
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                         env=env, start_new_session=True, close_fds=True, **kw)
print(p.pid)
EOF
  ) || fail_start "$name" "could not start $name"
  start=$(proc_field "$pid" 19) || start=0
  echo "$pid $start" >"$LAB/pids/$name"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# One start/stop at a time per lab folder (the lock file sits next to it).
take_lock() {
  exec 9>"$LAB.lock"
  flock -w 120 9 || die "another lab.sh start/stop holds $LAB.lock"
}

# ---- state ------------------------------------------------------------------------------
check_lab_dir() {
  [[ $LAB =~ ^/[A-Za-z0-9._/-]+$ ]] || die "SASLKIT_LAB_DIR must be an absolute path of [A-Za-z0-9._/-]: '$LAB'"
  [[ $LAB != / && $LAB != *..* ]] || die "refusing SASLKIT_LAB_DIR=$LAB"
}

fresh_state() {
  if [ -e "$LAB" ]; then
    if [ -e "$LAB/$MARKER" ]; then
      rm -rf --one-file-system "$LAB"
    elif [ -d "$LAB" ] && [ -z "$(ls -A "$LAB")" ]; then
      rmdir "$LAB"
    else
      die "$LAB exists and is not a lab folder (no $MARKER); refusing to wipe it"
    fi
  fi
  mkdir -p "$LAB"
  chmod 755 "$LAB"
  : >"$LAB/$MARKER"
  mkdir -p "$LAB/pids" "$LAB/dovecot/run" "$LAB/dovecot/state" "$LAB/krb5/rcache" "$LAB/oauth" "$LAB/tls" "$LAB/bin"
  # The helpers run from here: readable by the unprivileged users whatever the checkout's modes.
  install -m 644 "$HERE/smtp_sink.py" "$HERE/oauth_server.py" "$LAB/bin/"
}

render() {  # render TEMPLATE OUT
  sed -e "s|@LAB@|$LAB|g" -e "s|@MAIL_UID@|$MAIL_UID|g" -e "s|@MAIL_GID@|$MAIL_GID|g" \
      -e "s|@SSL_DH@|$SSL_DH|g" -e "s|@CYRUS_IMAP_PORT@|$CYRUS_IMAP_PORT|g" \
      -e "s|@CYRUS_IMAPS_PORT@|$CYRUS_IMAPS_PORT|g" -e "s|@CYRUS_POP3_PORT@|$CYRUS_POP3_PORT|g" \
      -e "s|@CYRUS_POP3S_PORT@|$CYRUS_POP3S_PORT|g" -e "s|@CYRUS_SERVERS@|$CYRUS_SERVERS|g" \
      -e "s|@CYRUS_IMAPS_TLS13_PORT@|$CYRUS_IMAPS_TLS13_PORT|g" \
      -e "s|@SINK_PORT@|$SINK_PORT|g" -e "s|@POSTFIX_SUBMISSION_PORT@|$POSTFIX_SUBMISSION_PORT|g" \
      -e "s|@POSTFIX_SUBMISSIONS_PORT@|$POSTFIX_SUBMISSIONS_PORT|g" \
      "$HERE/$1" >"$2"
}

make_certs() {
  local cnf="$HERE/openssl.cnf" t="$LAB/tls"
  export OPENSSL_CONF=$cnf
  openssl req -x509 -config "$cnf" -extensions v3_ca -newkey rsa:2048 -nodes \
    -keyout "$LAB/ca.key" -out "$LAB/ca.pem" -days 30 -subj "/O=saslkit lab/CN=saslkit lab CA" \
    >"$t/openssl.log" 2>&1 || die "openssl (CA) failed: $(tail -5 "$t/openssl.log")"
  local who cn ext
  for who in server alice; do
    if [ $who = server ]; then cn=localhost ext=server; else cn=alice ext=client; fi
    openssl req -new -config "$cnf" -newkey rsa:2048 -nodes -keyout "$LAB/$who.key" \
      -out "$t/$who.csr" -subj "/O=saslkit lab/CN=$cn" >>"$t/openssl.log" 2>&1 \
      || die "openssl ($who key) failed: $(tail -5 "$t/openssl.log")"
    openssl x509 -req -in "$t/$who.csr" -CA "$LAB/ca.pem" -CAkey "$LAB/ca.key" \
      -set_serial "0x$(openssl rand -hex 8)" -days 30 -sha256 \
      -extfile "$cnf" -extensions "$ext" -out "$LAB/$who.crt" >>"$t/openssl.log" 2>&1 \
      || die "openssl ($who cert) failed: $(tail -5 "$t/openssl.log")"
  done
  unset OPENSSL_CONF
  chmod 600 "$LAB/ca.key" "$LAB/server.key"
  chmod 644 "$LAB/alice.key"   # a lab key: tests may run as another user
}

make_mail() {
  local u
  for u in alice bob jose; do mkdir -p "$LAB/mail/$u/"{cur,new,tmp}; done
  chmod -R go= "$LAB/mail"
  chown -R "$MAIL_UID:$MAIL_GID" "$LAB/mail"
  # passwd-file with {PLAIN} passwords; read by the auth process (user dovecot)
  {
    printf 'alice:{PLAIN}%s\n' "$ALICE_PASS"
    printf 'bob:{PLAIN}%s\n' "$BOB_PASS"
    printf 'jose:{PLAIN}%s\n' "$JOSE_PASS"
  } >"$LAB/dovecot/users"
  chown root:dovecot "$LAB/dovecot/users"
  chmod 640 "$LAB/dovecot/users"
}

make_kdc() {
  local k="$LAB/krb5"
  render krb5.conf.in "$k/krb5.conf"
  render kdc.conf.in "$k/kdc.conf"
  echo "*/admin@$REALM *" >"$k/kadm5.acl"
  export KRB5_CONFIG="$k/krb5.conf" KRB5_KDC_PROFILE="$k/kdc.conf"
  kdb5_util create -s -r "$REALM" -P "lab-master-$(openssl rand -hex 8)" >"$k/kdb5_util.log" 2>&1 \
    || die "kdb5_util create failed: $(tail -5 "$k/kdb5_util.log")"
  local q=(
    "addprinc -pw $ALICE_PASS alice"
    "addprinc -pw $BOB_PASS bob"
    "addprinc -randkey smtp/localhost"
    "addprinc -randkey imap/localhost"
    "addprinc -randkey pop/localhost"
    "addprinc -randkey imap/127.0.0.1"
    "addprinc -randkey SmtpSvc/mail.saslkit.test"
    "ktadd -k $k/dovecot.keytab smtp/localhost imap/localhost pop/localhost imap/127.0.0.1 SmtpSvc/mail.saslkit.test"
    "ktadd -norandkey -k $k/alice.keytab alice"
  )
  local c
  for c in "${q[@]}"; do
    kadmin.local -r "$REALM" -q "$c" >>"$k/kadmin.local.log" 2>&1 </dev/null \
      || die "kadmin.local '$c' failed: $(tail -5 "$k/kadmin.local.log")"
  done
  chown root:dovecot "$k/dovecot.keytab"
  chmod 640 "$k/dovecot.keytab"
  chmod 644 "$k/alice.keytab"          # lab credential for password-less kinit in tests
  chown dovecot "$k/rcache"
  chmod 700 "$k/rcache"
  unset KRB5_CONFIG KRB5_KDC_PROFILE
}

make_oauth() {
  OAUTH_TOKEN="lab-alice-$(openssl rand -hex 16)"
  OAUTH_TOKEN_BOB="lab-bob-$(openssl rand -hex 16)"
  {
    echo "# <access-token> <user>, one per line; re-read on every request (oauth_server.py)."
    echo "# expired-token is listed but always answered as inactive."
    echo "expired-token alice"
    echo "$OAUTH_TOKEN alice"
    echo "$OAUTH_TOKEN_BOB bob"
  } >"$LAB/oauth/tokens"
  chmod 644 "$LAB/oauth/tokens"
}

make_dovecot() {
  SSL_DH=
  [ -r /usr/share/dovecot/dh.pem ] && SSL_DH='ssl_dh = </usr/share/dovecot/dh.pem'
  render dovecot.conf.in "$LAB/dovecot/dovecot.conf"
  render oauth2.conf.ext.in "$LAB/dovecot/oauth2.conf.ext"
  doveconf -c "$LAB/dovecot/dovecot.conf" -n >"$LAB/dovecot/doveconf.out" 2>&1 \
    || die "dovecot configuration rejected: $(tail -5 "$LAB/dovecot/doveconf.out")"
}

# Cyrus IMAP: its own configuration, folders and sasldb (users with realm "localhost", the
# server name); runs as the cyrus user, which must be able to read the key it serves.
make_cyrus() {
  local c="$LAB/cyrus"
  mkdir -p "$c/conf" "$c/spool" "$c/run/proc" "$c/run/lock"
  render imapd.conf.in "$c/imapd.conf"
  render cyrus.conf.in "$c/cyrus.conf"
  sed 's/^tls_versions: .*/tls_versions: tls1_2 tls1_3/' "$c/imapd.conf" >"$c/imapd-tls13.conf"
  grep -q '^tls_versions: tls1_2 tls1_3$' "$c/imapd-tls13.conf" || die "imapd-tls13.conf: no tls_versions line"
  install -m 600 "$LAB/server.key" "$c/server.key"
  local u pw
  for u in alice bob jose; do
    case $u in alice) pw=$ALICE_PASS ;; bob) pw=$BOB_PASS ;; jose) pw=$JOSE_PASS ;; esac
    printf '%s' "$pw" | saslpasswd2 -p -c -f "$c/sasldb2" -u localhost "$u" \
      || die "saslpasswd2 $u failed"
  done
  chown -R cyrus:mail "$c"
  chmod 640 "$c/sasldb2"
}

# Postfix: submission through Cyrus SASL with its own copy of the Cyrus sasldb (smtpd runs as
# the postfix user). `postfix check` makes the queue folders; the master runs in the
# foreground (-d) and logs to its standard output (maillog_file = /dev/stdout).
make_postfix() {
  local p="$LAB/postfix"
  mkdir -p "$p/sasl" "$p/queue" "$p/data"
  render postfix-main.cf.in "$p/main.cf"
  render postfix-master.cf.in "$p/master.cf"
  render postfix-smtpd.conf.in "$p/sasl/smtpd.conf"
  install -m 600 -o postfix "$LAB/server.key" "$p/server.key"
  install -m 600 -o postfix "$LAB/cyrus/sasldb2" "$p/sasldb2"
  chown postfix "$p/data"
  postfix -c "$p" check >"$p/check.log" 2>&1 || die "postfix check failed: $(tail -5 "$p/check.log")"
}

write_env() {
  local k="$LAB/krb5" tmp="$LAB/env.tmp"
  cat >"$tmp" <<EOF
# saslkit test lab, written by tests/lab/lab.sh start. KEY=VALUE lines, shell-sourceable.
SASLKIT_LAB_DIR=$LAB
SASLKIT_LAB_HOST=localhost
SASLKIT_LAB_ADDR=127.0.0.1
SASLKIT_LAB_CA=$LAB/ca.pem
SASLKIT_LAB_CLIENT_CERT=$LAB/alice.crt
SASLKIT_LAB_CLIENT_KEY=$LAB/alice.key
SASLKIT_LAB_CLIENT_CERT_USER=alice
SASLKIT_LAB_IMAP_PORT=$IMAP_PORT
SASLKIT_LAB_IMAPS_PORT=$IMAPS_PORT
SASLKIT_LAB_POP3_PORT=$POP3_PORT
SASLKIT_LAB_POP3S_PORT=$POP3S_PORT
SASLKIT_LAB_SUBMISSION_PORT=$SUBMISSION_PORT
SASLKIT_LAB_SUBMISSIONS_PORT=$SUBMISSIONS_PORT
SASLKIT_LAB_SMTP_SINK_PORT=$SINK_PORT
SASLKIT_LAB_KDC_PORT=$KDC_PORT
SASLKIT_LAB_OAUTH_INTROSPECT_PORT=$OAUTH_HTTP_PORT
SASLKIT_LAB_OAUTH_TOKEN_PORT=$OAUTH_HTTPS_PORT
SASLKIT_LAB_MAIL_DIR=$LAB/mail
SASLKIT_LAB_USER=alice
SASLKIT_LAB_PASS=$ALICE_PASS
SASLKIT_LAB_ALICE_USER=alice
SASLKIT_LAB_ALICE_PASS=$ALICE_PASS
SASLKIT_LAB_BOB_USER=bob
SASLKIT_LAB_BOB_PASS=$BOB_PASS
SASLKIT_LAB_JOSE_USER=jose
SASLKIT_LAB_JOSE_PASS=$JOSE_PASS
SASLKIT_LAB_ANONYMOUS_USER=anonymous
SASLKIT_LAB_KRB5_REALM=$REALM
SASLKIT_LAB_KRB5_PRINCIPAL=alice@$REALM
SASLKIT_LAB_KRB5_PASS=$ALICE_PASS
SASLKIT_LAB_KRB5_CONFIG=$k/krb5.conf
KRB5_CONFIG=$k/krb5.conf
KRB5CCNAME=FILE:$k/ccache
SASLKIT_LAB_KRB5CCNAME=FILE:$k/ccache
SASLKIT_LAB_KEYTAB=$k/dovecot.keytab
SASLKIT_LAB_CLIENT_KEYTAB=$k/alice.keytab
SASLKIT_LAB_GSSAPI_CUSTOM_SERVICE=SmtpSvc
SASLKIT_LAB_GSSAPI_CUSTOM_HOST=mail.saslkit.test
SASLKIT_LAB_OAUTH_TOKEN=$OAUTH_TOKEN
SASLKIT_LAB_OAUTH_TOKEN_BOB=$OAUTH_TOKEN_BOB
SASLKIT_LAB_OAUTH_EXPIRED_TOKEN=expired-token
SASLKIT_LAB_OAUTH_TOKENS_FILE=$LAB/oauth/tokens
SASLKIT_LAB_OAUTH_INTROSPECTION_URL=http://127.0.0.1:$OAUTH_HTTP_PORT/introspect
SASLKIT_LAB_TOKEN_ENDPOINT=https://localhost:$OAUTH_HTTPS_PORT/token
SASLKIT_LAB_OAUTH_REFRESH_TOKEN=$REFRESH_TOKEN
SASLKIT_LAB_OAUTH_CLIENT_ID=$CLIENT_ID
SASLKIT_LAB_CYRUS_IMAP_PORT=$CYRUS_IMAP_PORT
SASLKIT_LAB_CYRUS_IMAPS_PORT=$CYRUS_IMAPS_PORT
SASLKIT_LAB_CYRUS_POP3_PORT=$CYRUS_POP3_PORT
SASLKIT_LAB_CYRUS_POP3S_PORT=$CYRUS_POP3S_PORT
SASLKIT_LAB_CYRUS_IMAPS_TLS13_PORT=$CYRUS_IMAPS_TLS13_PORT
SASLKIT_LAB_CYRUS_REALM=localhost
SASLKIT_LAB_POSTFIX_SUBMISSION_PORT=$POSTFIX_SUBMISSION_PORT
SASLKIT_LAB_POSTFIX_SUBMISSIONS_PORT=$POSTFIX_SUBMISSIONS_PORT
EOF
  chmod 644 "$tmp"
  mv "$tmp" "$LAB/env"
}

# fail_start NAME MSG: report, show the relevant log, stop what was started
fail_start() {
  local name=$1 msg=$2 f logf
  printf 'lab: error: %s\n' "$msg" >&2
  for f in ${SERVICE_LOG[$name]}; do
    logf="$LAB/$f"
    if [ -s "$logf" ]; then
      printf -- '--- last lines of %s ---\n' "$logf" >&2
      tail -n 25 "$logf" >&2
      printf -- '---\n' >&2
    fi
  done
  stop_all || true
  exit 1
}

service_ports() { local e; for e in ${SERVICE_PROBES[$1]}; do printf '%s ' "${e#*:}"; done; }

# Wait until every port accepts connections, then until every service really answers
# (greeting, TLS handshake with the lab CA, HTTP): bounded by START_TIMEOUT in total.
wait_ready() {
  local deadline=$((SECONDS + START_TIMEOUT)) name p pid start out
  for name in "${SERVICES[@]}"; do
    read -r pid start <"$LAB/pids/$name"
    for p in $(service_ports "$name"); do
      until port_open "$p"; do
        alive "$pid" "$start" || fail_start "$name" "$name (pid $pid) exited before port $p opened"
        [ $SECONDS -lt $deadline ] || fail_start "$name" "$name: port 127.0.0.1:$p not open after ${START_TIMEOUT}s"
        sleep 0.1
      done
    done
  done
  for name in "${SERVICES[@]}"; do
    read -r pid start <"$LAB/pids/$name"
    # shellcheck disable=SC2086
    until out=$("$PY" "$HERE/probe.py" --ca "$LAB/ca.pem" --timeout 3 ${SERVICE_PROBES[$name]} 2>&1); do
      alive "$pid" "$start" || fail_start "$name" "$name (pid $pid) exited during start-up"
      [ $SECONDS -lt $deadline ] || fail_start "$name" "$name not answering after ${START_TIMEOUT}s: $out"
      sleep 0.2
    done
  done
}

cmd_start() {
  [ "$(id -u)" = 0 ] || die "the lab must be started as root"
  local bin
  for bin in dovecot doveconf krb5kdc kdb5_util kadmin.local kinit openssl saslpasswd2 "$CYRUS_BIN/master" \
             "$CYRUS_SERVERS/imapd" "$CYRUS_SERVERS/pop3d" postfix /usr/lib/postfix/sbin/master "$PY"; do
    command -v "$bin" >/dev/null || die "$bin not found; run tools/setup-deps.sh"
  done
  if ! getent passwd dovecot >/dev/null || ! getent passwd dovenull >/dev/null; then
    die "users dovecot/dovenull missing; run tools/setup-deps.sh"
  fi
  for u in cyrus postfix; do
    getent passwd $u >/dev/null || die "user $u missing; run tools/setup-deps.sh"
  done
  check_lab_dir
  take_lock
  [ -d "$LAB/oidc/pids" ] && bash "$HERE/oidc.sh" stop  # optional OAuth component (oidc.sh)
  if [ -d "$LAB/pids" ] && [ -n "$(ls -A "$LAB/pids" 2>/dev/null)" ]; then
    log "lab already running in $LAB: restarting"
    stop_all
  fi
  local name p
  for name in "${SERVICES[@]}"; do
    for p in $(service_ports "$name"); do
      if port_open "$p"; then
        die "port 127.0.0.1:$p ($name) is already in use by another process: $(ss -Hltnp "sport = :$p" 2>/dev/null | awk '{print $NF}')"
      fi
    done
  done
  MAIL_UID=$(id -u mail) MAIL_GID=$(id -g mail)
  SSL_DH=
  fresh_state
  make_certs
  make_mail
  make_kdc
  make_oauth
  make_dovecot
  make_cyrus
  make_postfix

  local k="$LAB/krb5"
  SPAWN_ENV="KRB5_CONFIG=$k/krb5.conf KRB5_KDC_PROFILE=$k/kdc.conf" \
    spawn kdc "$k/kdc.stdout" krb5kdc -n -r "$REALM"
  # The sink runs as the mail user, so what it delivers belongs to the user Dovecot reads as.
  SPAWN_ENV='' SPAWN_USER=mail spawn smtp-sink "$LAB/smtp-sink.log" "$PY" -u "$LAB/bin/smtp_sink.py" \
    --port "$SINK_PORT" --maildir-root "$LAB/mail" --max-size $((10 * 1024 * 1024)) --timeout 120
  SPAWN_ENV='' spawn oauth "$LAB/oauth.log" "$PY" -u "$LAB/bin/oauth_server.py" \
    --introspect-port "$OAUTH_HTTP_PORT" --token-port "$OAUTH_HTTPS_PORT" \
    --tokens "$LAB/oauth/tokens" --cert "$LAB/server.crt" --key "$LAB/server.key"
  SPAWN_ENV='' spawn dovecot "$LAB/dovecot.stdout" dovecot -F -c "$LAB/dovecot/dovecot.conf"
  # -D: stay in the foreground with our output; Cyrus itself logs to syslog only.
  SPAWN_ENV='' SPAWN_USER=cyrus spawn cyrus "$LAB/cyrus/master.log" "$CYRUS_BIN/master" \
    -C "$LAB/cyrus/imapd.conf" -M "$LAB/cyrus/cyrus.conf" -p "$LAB/cyrus/run/master.pid" -D
  SPAWN_ENV='' spawn postfix "$LAB/postfix/postfix.log" /usr/lib/postfix/sbin/master -c "$LAB/postfix" -d
  wait_ready

  # The KDC answers: get alice a ticket into the lab's default ccache (handy for GSSAPI tests).
  KRB5_CONFIG="$k/krb5.conf" kinit -k -t "$k/alice.keytab" -c "FILE:$k/ccache" "alice@$REALM" \
    >"$k/kinit.log" 2>&1 </dev/null || fail_start kdc "kinit alice failed: $(cat "$k/kinit.log")"
  chmod 644 "$k/ccache"

  write_env
  log "lab running in $LAB (env: $LAB/env)"
  # Optional OAuth component: a real authorization server and an OAuth-only Dovecot (oidc.sh).
  if [ "${SASLKIT_LAB_OIDC:-auto}" != no ] && [ -d "${SASLKIT_OIDC_MODULES:-/opt/saslkit-lab/oidc}/node_modules" ]; then
    bash "$HERE/oidc.sh" start || { stop_all; die "the OAuth component (oidc.sh) failed to start"; }
  fi
}

cmd_stop() {
  check_lab_dir
  take_lock
  [ -d "$LAB/oidc/pids" ] && bash "$HERE/oidc.sh" stop
  stop_all
  rm -f "$LAB/env"
  log "lab stopped"
}

cmd_check() {
  check_lab_dir
  [ -f "$LAB/env" ] || die "lab not running ($LAB/env missing); run: $0 start"
  "$PY" "$HERE/check.py" "$LAB/env"
}

cmd_status() {
  check_lab_dir
  local name pid start p rc=0 state
  if [ -z "$(ls -A "$LAB/pids" 2>/dev/null)" ]; then echo "lab: not running ($LAB)"; return 3; fi
  for name in "${SERVICES[@]}"; do
    if [ -f "$LAB/pids/$name" ] && read -r pid start <"$LAB/pids/$name" && alive "$pid" "$start"; then
      state="running (pid $pid)"
    else
      state="not running"; rc=1
    fi
    local ports=""
    for p in $(service_ports "$name"); do
      if port_open "$p"; then ports+=" $p:open"; else ports+=" $p:closed"; rc=1; fi
    done
    printf '%-10s %-22s%s\n' "$name" "$state" "$ports"
  done
  [ -f "$LAB/env" ] && echo "env: $LAB/env"
  return $rc
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart) cmd_start ;;
  check) cmd_check ;;
  *) echo "usage: $0 start|stop|status|check" >&2; exit 2 ;;
esac
