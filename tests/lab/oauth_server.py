#!/usr/bin/python3
"""OAuth 2.0 endpoints for the saslkit test lab (Python 3 stdlib only).

* Introspection (RFC 7662 style), plain HTTP on 127.0.0.1:10080, called by Dovecot's
  oauth2 passdb:  POST /introspect with body token=<token>  (also GET ?token=<token> and
  GET with "Authorization: Bearer <token>", so every Dovecot introspection_mode works).
  Answers {"active": true, "username": <user>, ...} for a token listed in the tokens file,
  {"active": false} otherwise. The token "expired-token" is always inactive.
* Token endpoint, HTTPS on 127.0.0.1:10443 with the lab's server certificate:
  POST /token grant_type=refresh_token&refresh_token=...&client_id=...  (RFC 6749 6).
  Refresh token "lab-refresh-1" for client id "saslkit-lab" mints a fresh access token for
  alice, appends it to the tokens file and returns
  {"access_token": ..., "token_type": "Bearer", "expires_in": 3600}.

The tokens file holds one "<token> <user>" per line (# starts a comment); it is re-read on
every request, so tests can add or remove tokens while the lab runs.
"""

import argparse
import base64
import fcntl
import http.server
import json
import secrets
import ssl
import sys
import threading
import time
import urllib.parse

EXPIRED_TOKEN = "expired-token"
REFRESH_TOKENS = {"lab-refresh-1": ("saslkit-lab", "alice")}  # refresh -> (client_id, user)
TOKEN_LIFETIME = 3600
MAX_BODY = 64 * 1024


class TokenStore:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()

    def lookup(self, token):
        if not token or token == EXPIRED_TOKEN:
            return None
        try:
            with open(self.path, encoding="utf-8") as f:
                fcntl.flock(f, fcntl.LOCK_SH)
                for line in f:
                    line = line.split("#", 1)[0].split()
                    if len(line) >= 2 and line[0] == token:
                        return line[1]
        except FileNotFoundError:
            pass
        return None

    def mint(self, user):
        token = "lab-" + secrets.token_urlsafe(24)
        with self.lock, open(self.path, "a", encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.write("%s %s\n" % (token, user))
        return token


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "saslkit-lab-oauth/1"
    protocol_version = "HTTP/1.1"
    timeout = 60  # idle keep-alive connections are closed after this many seconds
    store = None  # set in main()

    def log_message(self, fmt, *args):
        sys.stdout.write("%s [%s] %s\n" % (self.server.name, self.log_date_time_string(),
                                           fmt % args))
        sys.stdout.flush()

    def send_json(self, status, obj, extra_headers=()):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Pragma", "no-cache")
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def read_form(self):
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit() or int(length) > MAX_BODY:
            return None
        raw = self.rfile.read(int(length)).decode("utf-8", "replace")
        return {k: v[0] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}

    def bearer(self):
        auth = self.headers.get("Authorization", "")
        if auth[:7].lower() == "bearer ":
            return auth[7:].strip()
        return None

    # --- introspection -------------------------------------------------------------
    def introspect(self, token):
        user = self.store.lookup(token)
        self.log_message("introspect token=%s... -> %s", (token or "")[:12], user or "inactive")
        if user is None:
            self.send_json(200, {"active": False})
            return
        now = int(time.time())
        self.send_json(200, {
            "active": True, "username": user, "sub": user, "email": user,
            "scope": "mail", "token_type": "Bearer", "client_id": "saslkit-lab",
            "iat": now, "exp": now + TOKEN_LIFETIME,
        })

    # --- token endpoint --------------------------------------------------------------
    def token(self, form):
        client_id = form.get("client_id")
        auth = self.headers.get("Authorization", "")
        if auth[:6].lower() == "basic ":
            try:
                client_id = urllib.parse.unquote(
                    base64.b64decode(auth[6:].strip()).decode().split(":", 1)[0])
            except Exception:
                self.send_json(401, {"error": "invalid_client"},
                               [("WWW-Authenticate", 'Basic realm="saslkit-lab"')])
                return
        grant = form.get("grant_type")
        if grant is None:
            self.send_json(400, {"error": "invalid_request",
                                 "error_description": "grant_type missing"})
            return
        if grant != "refresh_token":
            self.send_json(400, {"error": "unsupported_grant_type"})
            return
        refresh = form.get("refresh_token")
        if not refresh:
            self.send_json(400, {"error": "invalid_request",
                                 "error_description": "refresh_token missing"})
            return
        if not client_id:
            self.send_json(401, {"error": "invalid_client",
                                 "error_description": "client_id missing"})
            return
        entry = REFRESH_TOKENS.get(refresh)
        if entry is None or entry[0] != client_id:
            self.send_json(400, {"error": "invalid_grant"})
            return
        access = self.store.mint(entry[1])
        self.log_message("minted access token %s... for %s", access[:12], entry[1])
        self.send_json(200, {"access_token": access, "token_type": "Bearer",
                             "expires_in": TOKEN_LIFETIME})

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if self.server.name == "introspect" and url.path.startswith("/introspect"):
            q = urllib.parse.parse_qs(url.query)
            token = q.get("token", q.get("access_token", [None]))[0] or self.bearer()
            self.introspect(token)
        elif url.path == "/health":
            self.send_json(200, {"ok": True})
        else:
            self.send_json(404, {"error": "not_found"})

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        form = self.read_form()
        if form is None:
            self.send_json(400, {"error": "invalid_request",
                                 "error_description": "bad or missing body"})
            return
        if self.server.name == "introspect" and url.path.startswith("/introspect"):
            self.introspect(form.get("token") or self.bearer())
        elif self.server.name == "token" and url.path == "/token":
            self.token(form)
        else:
            self.send_json(404, {"error": "not_found"})


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, name, addr, tls_context=None):
        self.name = name
        self.tls_context = tls_context
        super().__init__(addr, Handler)

    def finish_request(self, request, client_address):
        # TLS handshake in the per-connection thread, so a stalled client cannot block accept().
        if self.tls_context is not None:
            request.settimeout(10)
            try:
                request = self.tls_context.wrap_socket(request, server_side=True)
            except (OSError, ssl.SSLError) as e:
                sys.stdout.write("%s: TLS handshake with %s failed: %s\n" % (
                    self.name, client_address, e))
                sys.stdout.flush()
                return
        super().finish_request(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--introspect-port", type=int, default=10080)
    ap.add_argument("--token-port", type=int, default=10443)
    ap.add_argument("--tokens", required=True, help="tokens file")
    ap.add_argument("--cert", required=True, help="TLS server certificate (PEM)")
    ap.add_argument("--key", required=True, help="TLS server key (PEM)")
    args = ap.parse_args()

    Handler.store = TokenStore(args.tokens)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(args.cert, args.key)
    introspect = Server("introspect", (args.host, args.introspect_port))
    token = Server("token", (args.host, args.token_port), tls_context=ctx)

    threading.Thread(target=token.serve_forever, daemon=True).start()
    print("oauth: introspection http://%s:%d/introspect, token https://%s:%d/token" % (
        args.host, args.introspect_port, args.host, args.token_port), flush=True)
    introspect.serve_forever()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
