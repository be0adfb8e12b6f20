#!/usr/bin/env bash
# The lab's optional OAuth component: a real authorization server (oidc-provider on Node.js,
# tests/lab/oidc/server.mjs) and a second, OAuth-only Dovecot that validates the access tokens
# it issues by introspection. Started and stopped on its own, or by lab.sh start/stop.
#
#   tests/lab/oidc.sh start    (re)create $LAB/oidc and start both servers
#   tests/lab/oidc.sh stop     stop exactly the processes this script started
#   tests/lab/oidc.sh status   show them and their ports
#
# Ports: 10090 authorization server (http, loopback issuer), 10243 IMAP, 10210 POP3,
# 10687 submission. State in $SASLKIT_LAB_DIR/oidc (default /tmp/saslkit-lab/oidc); it writes
# $LAB/oidc/env (KEY=VALUE lines) for the tests. Needs the lab's server certificate
# ($LAB/server.crt, from lab.sh start), Node.js, and the npm packages that
# tools/setup-deps.sh installs into $SASLKIT_OIDC_MODULES (default /opt/saslkit-lab/oidc).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=${SASLKIT_LAB_DIR:-/tmp/saslkit-lab}
STATE=$LAB/oidc
MODULES=${SASLKIT_OIDC_MODULES:-/opt/saslkit-lab/oidc}
PY=/usr/bin/python3
OIDC_PORT=10090 IMAP_PORT=10243 POP3_PORT=10210 SUBMISSION_PORT=10687 SINK_PORT=10025
START_TIMEOUT=${SASLKIT_LAB_START_TIMEOUT:-30}
NAMES=(oidc-provider oidc-dovecot)

log() { printf 'oidc: %s\n' "$*" >&2; }
die() { printf 'oidc: error: %s\n' "$*" >&2; exit 1; }

# "PID STARTTIME" pid files; STARTTIME (field 22 of /proc/PID/stat) guards against reuse.
start_time() { local s; { read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1; s=${s##*) }; set -- $s; echo "${20}"; }
alive() { [ "$(start_time "$1" 2>/dev/null)" = "$2" ]; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stop_one() {
  local f="$STATE/pids/$1" pid start i
  [ -f "$f" ] || return 0
  read -r pid start <"$f" || true
  if [ -n "${pid:-}" ] && alive "$pid" "$start"; then
    log "stopping $1 (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 100); do alive "$pid" "$start" || break; sleep 0.1; done
    alive "$pid" "$start" && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

cmd_stop() {
  local i
  for ((i = ${#NAMES[@]} - 1; i >= 0; i--)); do stop_one "${NAMES[$i]}"; done
  # Dovecot's children leave with their master; wait for its listeners to close.
  for i in $(seq 50); do port_open $IMAP_PORT || break; sleep 0.1; done
  rm -f "$STATE/env"
}

# spawn NAME LOG CMD...: detached, new session, output to LOG; records "PID STARTTIME".
spawn() {
  local name=$1 logfile=$2 pid; shift 2
  setsid "$@" </dev/null >>"$logfile" 2>&1 8>&- 9>&- &  # no lock descriptor (ours, lab.sh's) inherited
  pid=$!
  sleep 0.05
  echo "$pid $(start_time "$pid" || echo 0)" >"$STATE/pids/$name"
}

render() {
  sed -e "s|@STATE@|$STATE|g" -e "s|@LAB@|$LAB|g" -e "s|@MAIL_UID@|$(id -u mail)|g" \
      -e "s|@MAIL_GID@|$(id -g mail)|g" -e "s|@IMAP_PORT@|$IMAP_PORT|g" \
      -e "s|@POP3_PORT@|$POP3_PORT|g" -e "s|@SUBMISSION_PORT@|$SUBMISSION_PORT|g" \
      -e "s|@SINK_PORT@|$SINK_PORT|g" -e "s|@OIDC_PORT@|$OIDC_PORT|g" \
      -e "s|@DOVECOT_SECRET@|$DOVECOT_SECRET|g" -e "s|@SSL_DH@|$SSL_DH|g" "$HERE/$1" >"$2"
}

cmd_start() {
  [ "$(id -u)" = 0 ] || die "must be started as root (Dovecot)"
  command -v node >/dev/null || die "node not found; run tools/setup-deps.sh"
  [ -d "$MODULES/node_modules/oidc-provider" ] || die "$MODULES/node_modules missing; run tools/setup-deps.sh"
  [ -r "$LAB/server.crt" ] || die "$LAB/server.crt missing: start the lab first (tests/lab/lab.sh start)"
  [[ $LAB =~ ^/[A-Za-z0-9._/-]+$ && $LAB != *..* ]] || die "bad SASLKIT_LAB_DIR: $LAB"
  [ -d "$STATE/pids" ] && cmd_stop
  local p
  for p in $OIDC_PORT $IMAP_PORT $POP3_PORT $SUBMISSION_PORT; do
    port_open $p && die "port 127.0.0.1:$p is already in use"
  done
  rm -rf --one-file-system "$STATE"
  mkdir -p "$STATE/pids" "$STATE/dovecot/run" "$STATE/dovecot/state" "$STATE/mail"
  chmod 755 "$STATE"
  chown mail:mail "$STATE/mail"
  chmod 700 "$STATE/mail"
  DOVECOT_SECRET=$(openssl rand -hex 16)
  SERVICE_SECRET=$(openssl rand -hex 16)
  SSL_DH=
  [ -r /usr/share/dovecot/dh.pem ] && SSL_DH='ssl_dh = </usr/share/dovecot/dh.pem'
  # The server runs from the state folder with the cached packages beside it (ES modules
  # resolve node_modules next to the script, not through NODE_PATH).
  install -m 644 "$HERE/oidc/server.mjs" "$HERE/oidc/browser.mjs" "$STATE/"
  ln -s "$MODULES/node_modules" "$STATE/node_modules"
  (umask 077 && printf '%s\n' "$SERVICE_SECRET" >"$STATE/service-secret")
  render oidc-dovecot.conf.in "$STATE/dovecot/dovecot.conf"
  render oidc-oauth2.conf.ext.in "$STATE/dovecot/oauth2.conf.ext"
  chmod 640 "$STATE/dovecot/oauth2.conf.ext"
  chown root:dovecot "$STATE/dovecot/oauth2.conf.ext"
  doveconf -c "$STATE/dovecot/dovecot.conf" -n >"$STATE/dovecot/doveconf.out" 2>&1 \
    || die "dovecot configuration rejected: $(tail -5 "$STATE/dovecot/doveconf.out")"

  (cd "$STATE" && spawn oidc-provider "$STATE/provider.log" node server.mjs --port $OIDC_PORT \
     --state "$STATE" --dovecot-secret "$DOVECOT_SECRET" --service-secret "$SERVICE_SECRET")
  spawn oidc-dovecot "$STATE/dovecot.stdout" dovecot -F -c "$STATE/dovecot/dovecot.conf"

  local deadline=$((SECONDS + START_TIMEOUT)) name pid start
  for p in $OIDC_PORT $IMAP_PORT $POP3_PORT $SUBMISSION_PORT; do
    until port_open $p; do
      for name in "${NAMES[@]}"; do
        read -r pid start <"$STATE/pids/$name"
        alive "$pid" "$start" || { tail -20 "$STATE"/*.log "$STATE"/*.stdout >&2 2>/dev/null; cmd_stop; die "$name exited during start-up"; }
      done
      [ $SECONDS -lt $deadline ] || { cmd_stop; die "port $p not open after ${START_TIMEOUT}s"; }
      sleep 0.1
    done
  done
  "$PY" "$HERE/probe.py" --ca "$LAB/ca.pem" --timeout 3 "http:$OIDC_PORT" "imap:$IMAP_PORT" \
    "pop3:$POP3_PORT" "smtp:$SUBMISSION_PORT" >/dev/null || { cmd_stop; die "a server does not answer"; }

  cat >"$STATE/env.tmp" <<EOF
# saslkit lab OAuth component, written by tests/lab/oidc.sh start.
SASLKIT_OIDC_ISSUER=http://127.0.0.1:$OIDC_PORT
SASLKIT_OIDC_PORT=$OIDC_PORT
SASLKIT_OIDC_STATS_URL=http://127.0.0.1:$OIDC_PORT/lab/stats
SASLKIT_OIDC_CLIENT_ID=saslkit-native
SASLKIT_OIDC_SERVICE_CLIENT_ID=saslkit-service
SASLKIT_OIDC_SERVICE_SECRET_FILE=$STATE/service-secret
SASLKIT_OIDC_ACCESS_TTL=20
SASLKIT_OIDC_IMAP_PORT=$IMAP_PORT
SASLKIT_OIDC_POP3_PORT=$POP3_PORT
SASLKIT_OIDC_SUBMISSION_PORT=$SUBMISSION_PORT
SASLKIT_OIDC_BROWSER_SCRIPT=$STATE/browser.mjs
SASLKIT_OIDC_MODULES=$MODULES/node_modules
SASLKIT_OIDC_STATE=$STATE
EOF
  mv "$STATE/env.tmp" "$STATE/env"
  log "authorization server on http://127.0.0.1:$OIDC_PORT, OAuth Dovecot on $IMAP_PORT/$POP3_PORT/$SUBMISSION_PORT (env: $STATE/env)"
}

cmd_status() {
  local name pid start rc=0
  for name in "${NAMES[@]}"; do
    if [ -f "$STATE/pids/$name" ] && read -r pid start <"$STATE/pids/$name" && alive "$pid" "$start"; then
      echo "$name running (pid $pid)"
    else
      echo "$name not running"; rc=1
    fi
  done
  return $rc
}

exec 8>"$LAB.oidc.lock"
flock -w 60 8 || die "another oidc.sh holds $LAB.oidc.lock"
case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop; log "stopped" ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
