#!/usr/bin/python3
"""Readiness probe of the saslkit test lab (Python 3 stdlib only).

  probe.py --ca CA.pem KIND:PORT ...

Kinds: imap, pop3, smtp (read the plain-text greeting), imaps, pop3s, smtps, https (TLS
handshake verified against the lab CA for "localhost", then the greeting / nothing), http
(GET /health), tcp (connect only). A Dovecot login process greets only once its auth process
is ready, so a greeting means the service can authenticate.
Prints "PORT reason" for every endpoint that is not ready; exit status 1 if there is one.
"""

import argparse
import http.client
import socket
import ssl
import sys

GREETING = {"imap": b"* OK", "pop3": b"+OK", "smtp": b"220"}


def probe(kind, port, ca, timeout):
    tls = kind.endswith("s") and kind != "tcp"
    base = kind[:-1] if tls else kind
    if kind == "http":
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request("GET", "/health")
        r = c.getresponse()
        r.read()
        c.close()
        if r.status != 200:
            raise RuntimeError("HTTP %d" % r.status)
        return
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        if tls:
            ctx = ssl.create_default_context(cafile=ca)
            sock = ctx.wrap_socket(sock, server_hostname="localhost")
        if base in GREETING:
            line = sock.makefile("rb").readline(4096)
            if not line.startswith(GREETING[base]):
                raise RuntimeError("unexpected greeting %r" % line[:80])
    finally:
        sock.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ca", required=True)
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("endpoints", nargs="+", help="KIND:PORT")
    args = ap.parse_args()
    bad = 0
    for ep in args.endpoints:
        kind, _, port = ep.partition(":")
        try:
            probe(kind, int(port), args.ca, args.timeout)
        except Exception as e:
            bad += 1
            print("%s %s: %s" % (port, type(e).__name__, e))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
