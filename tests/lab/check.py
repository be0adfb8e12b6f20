#!/usr/bin/python3
"""Self-check of a running saslkit test lab (Python 3 stdlib only, plus curl for GSSAPI).

Usage: tests/lab/lab.sh check   (or: /usr/bin/python3 tests/lab/check.py [$LAB/env])

Independent of saslkit: it exercises every server of the lab with Python's own clients so
that a failing saslkit test can be told apart from a broken lab. Exit status 0 = all passed.
"""

import base64
import hashlib
import hmac
import imaplib
import json
import os
import poplib
import shutil
import smtplib
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

ENV = {}
RESULTS = []


def load_env(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, _, v = line.partition("=")
                ENV[k] = v


def check(name):
    def deco(fn):
        def run():
            t = time.time()
            try:
                detail = fn()
                RESULTS.append((True, name))
                print("ok    %-58s %5.2fs %s" % (name, time.time() - t, detail or ""))
            except Exception as e:  # report and go on
                RESULTS.append((False, name))
                print("FAIL  %-58s %5.2fs %s: %s" % (name, time.time() - t,
                                                     type(e).__name__, e))
        run.__name__ = fn.__name__
        CHECKS.append(run)
        return run
    return deco


CHECKS = []


def ctx(client_cert=False):
    c = ssl.create_default_context(cafile=ENV["SASLKIT_LAB_CA"])
    if client_cert:
        c.load_cert_chain(ENV["SASLKIT_LAB_CLIENT_CERT"], ENV["SASLKIT_LAB_CLIENT_KEY"])
    return c


HOST = "localhost"


def port(name):
    return int(ENV["SASLKIT_LAB_%s_PORT" % name])


def users():
    return [(ENV["SASLKIT_LAB_%s_USER" % u], ENV["SASLKIT_LAB_%s_PASS" % u])
            for u in ("ALICE", "BOB", "JOSE")]


# ---- tiny SASL client mechanisms --------------------------------------------------------

def scram(hash_name, user, password):
    """Returns an imaplib-style authobject doing SCRAM-SHA-* (RFC 5802/7677), no binding."""
    cnonce = base64.b64encode(os.urandom(18)).decode()
    first_bare = "n=%s,r=%s" % (user.replace("=", "=3D").replace(",", "=2C"), cnonce)
    state = {"step": 0}

    def step(challenge):
        state["step"] += 1
        if state["step"] == 1:
            return ("n,," + first_bare).encode()
        if state["step"] == 2:
            server_first = challenge.decode()
            attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
            if not attrs["r"].startswith(cnonce):
                raise ValueError("server nonce does not extend client nonce")
            salted = hashlib.pbkdf2_hmac(hash_name, password.encode("utf-8"),
                                         base64.b64decode(attrs["s"]), int(attrs["i"]))
            client_key = hmac.new(salted, b"Client Key", hash_name).digest()
            stored = hashlib.new(hash_name, client_key).digest()
            final_wo_proof = "c=biws,r=" + attrs["r"]
            auth_msg = ",".join((first_bare, server_first, final_wo_proof)).encode()
            sig = hmac.new(stored, auth_msg, hash_name).digest()
            proof = bytes(a ^ b for a, b in zip(client_key, sig))
            server_key = hmac.new(salted, b"Server Key", hash_name).digest()
            state["verifier"] = base64.b64encode(
                hmac.new(server_key, auth_msg, hash_name).digest()).decode()
            return (final_wo_proof + ",p=" + base64.b64encode(proof).decode()).encode()
        if challenge.decode() != "v=" + state["verifier"]:
            raise ValueError("bad server signature")
        return b""
    return step


def digest_md5(user, password, service, host):
    state = {"step": 0}

    def h(b):
        return hashlib.md5(b).digest()

    def hx(b):
        return hashlib.md5(b).hexdigest()

    def step(challenge):
        state["step"] += 1
        if state["step"] > 1:
            return b""  # rspauth
        d = {}
        for part in _split_commas(challenge.decode()):
            k, _, v = part.partition("=")
            d[k.strip()] = v.strip().strip('"')
        realm = d.get("realm", "")
        nonce, cnonce = d["nonce"], base64.b64encode(os.urandom(12)).decode()
        uri = "%s/%s" % (service, host)
        a1 = h(("%s:%s:%s" % (user, realm, password)).encode("utf-8")) + \
            (":%s:%s" % (nonce, cnonce)).encode()
        a2 = ("AUTHENTICATE:" + uri).encode()
        resp = hx(("%s:%s:00000001:%s:auth:%s" % (hx(a1), nonce, cnonce, hx(a2))).encode())
        out = ('charset=utf-8,username="%s",realm="%s",nonce="%s",nc=00000001,cnonce="%s",'
               'digest-uri="%s",qop=auth,response=%s' % (user, realm, nonce, cnonce, uri, resp))
        return out.encode("utf-8")
    return step


def _split_commas(s):
    out, cur, quoted = [], "", False
    for ch in s:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


def cram_md5(user, password):
    return lambda c: (user + " " + hmac.new(password.encode("utf-8"), c, "md5").hexdigest()).encode("utf-8")


def plain(user, password):
    return lambda _c: ("\0%s\0%s" % (user, password)).encode("utf-8")


def xoauth2(user, token):
    return ("user=%s\x01auth=Bearer %s\x01\x01" % (user, token)).encode()


def oauthbearer(user, token):
    return ("n,a=%s,\x01host=%s\x01port=%d\x01auth=Bearer %s\x01\x01" % (
        user, HOST, port("IMAP"), token)).encode()


def imap():
    m = imaplib.IMAP4(HOST, port("IMAP"), timeout=10)
    m.starttls(ctx())
    return m


def imap_auth(mech, authobj, conn=None):
    m = conn or imap()
    try:
        typ, data = m.authenticate(mech, authobj)
        return m, typ
    except imaplib.IMAP4.error:
        m.logout()
        raise


def expect_fail(fn, *a):
    t = time.time()
    try:
        m, _ = fn(*a)
    except imaplib.IMAP4.error as e:
        return time.time() - t, str(e)
    m.logout()
    raise AssertionError("authentication unexpectedly succeeded")


# ---- checks -------------------------------------------------------------------------------

@check("TLS: STARTTLS/implicit TLS on all Dovecot ports, cert valid for localhost")
def _():
    imap().logout()
    imaplib.IMAP4_SSL(HOST, port("IMAPS"), ssl_context=ctx(), timeout=10).logout()
    p = poplib.POP3(HOST, port("POP3"), timeout=10)
    p.stls(ctx())
    p.quit()
    poplib.POP3_SSL(HOST, port("POP3S"), context=ctx(), timeout=10).quit()
    s = smtplib.SMTP(HOST, port("SUBMISSION"), timeout=10)
    s.starttls(context=ctx())
    s.quit()
    smtplib.SMTP_SSL(HOST, port("SUBMISSIONS"), context=ctx(), timeout=10).quit()
    ip = ssl.create_default_context(cafile=ENV["SASLKIT_LAB_CA"])
    with ip.wrap_socket(__import__("socket").create_connection(("127.0.0.1", port("IMAPS"))),
                        server_hostname="127.0.0.1"):
        pass  # IP SAN


@check("IMAP capabilities: SASL-IR, LITERAL+ and all mechanisms")
def _():
    m = imap()
    caps = set(m.capabilities)
    m.logout()
    want = {"SASL-IR", "LITERAL+"} | {"AUTH=" + x for x in (
        "PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", "GSSAPI",
        "OAUTHBEARER", "XOAUTH2", "EXTERNAL", "ANONYMOUS")}
    missing = want - caps
    assert not missing, "missing %s" % missing


@check("IMAP PLAIN/LOGIN/CRAM-MD5/DIGEST-MD5/SCRAM-SHA-1/SCRAM-SHA-256, 3 users (UTF-8)")
def _():
    n = 0
    for user, pw in users():
        for mech, obj in (("PLAIN", plain(user, pw)),
                          ("CRAM-MD5", cram_md5(user, pw)),
                          ("DIGEST-MD5", digest_md5(user, pw, "imap", HOST)),
                          ("SCRAM-SHA-1", scram("sha1", user, pw)),
                          ("SCRAM-SHA-256", scram("sha256", user, pw))):
            m, typ = imap_auth(mech, obj)
            assert typ == "OK", (mech, user)
            m.logout()
            n += 1
        if user.isascii() and pw.isascii():
            m = imap()
            m.login(user, pw)
            m.logout()
            n += 1
    return "%d logins" % n


@check("IMAP wrong password / unknown user fail fast (no auth penalty)")
def _():
    times = []
    for i in range(4):
        dt, _ = expect_fail(imap_auth, "PLAIN", plain("alice", "wrong-%d" % i))
        times.append(dt)
    dt, _ = expect_fail(imap_auth, "PLAIN", plain("nosuchuser", "x"))
    times.append(dt)
    dt, _ = expect_fail(imap_auth, "SCRAM-SHA-256", scram("sha256", "bob", "nope"))
    times.append(dt)
    assert max(times) < 0.4, "slow failures: %s" % times
    return "max %.3fs" % max(times)


@check("IMAP EXTERNAL with the alice client certificate; none without")
def _():
    m = imaplib.IMAP4_SSL(HOST, port("IMAPS"), ssl_context=ctx(True), timeout=10)
    typ, _ = m.authenticate("EXTERNAL", lambda _c: b"")
    assert typ == "OK"
    m.logout()
    m = imap()  # STARTTLS without a client certificate
    try:
        m.authenticate("EXTERNAL", lambda _c: b"")
        raise AssertionError("EXTERNAL without certificate succeeded")
    except imaplib.IMAP4.error:
        pass
    m.logout()


@check("IMAP ANONYMOUS")
def _():
    m, typ = imap_auth("ANONYMOUS", lambda _c: b"lab-check@example.org")
    assert typ == "OK"
    m.logout()


@check("IMAP XOAUTH2/OAUTHBEARER with SASLKIT_LAB_OAUTH_TOKEN; expired/unknown rejected")
def _():
    tok = ENV["SASLKIT_LAB_OAUTH_TOKEN"]
    m, typ = imap_auth("XOAUTH2", lambda _c: xoauth2("alice", tok))
    m.logout()
    m, typ = imap_auth("OAUTHBEARER", lambda _c: oauthbearer("alice", tok))
    m.logout()
    seen = []

    def grab(payload):
        state = {"n": 0}

        def step(c):
            state["n"] += 1
            if state["n"] == 1:
                return payload
            seen.append(c)  # the server's JSON failure challenge
            return b"\x01" if payload.startswith(b"n,") else b""
        return step
    expect_fail(imap_auth, "XOAUTH2", grab(xoauth2("alice", ENV["SASLKIT_LAB_OAUTH_EXPIRED_TOKEN"])))
    expect_fail(imap_auth, "OAUTHBEARER", grab(oauthbearer("alice", "no-such-token")))
    expect_fail(imap_auth, "XOAUTH2", grab(xoauth2("bob", tok)))  # token belongs to alice
    statuses = [json.loads(c).get("status") for c in seen]
    return "failure challenges: %s" % statuses


@check("OAuth tokens file is re-read: add and remove a token at run time")
def _():
    path = ENV["SASLKIT_LAB_OAUTH_TOKENS_FILE"]
    tok = "lab-check-" + uuid.uuid4().hex
    with open(path, "a") as f:
        f.write("%s bob\n" % tok)
    m, _ = imap_auth("XOAUTH2", lambda _c: xoauth2("bob", tok))
    m.logout()
    with open(path) as f:
        lines = [x for x in f if not x.startswith(tok + " ")]
    with open(path, "w") as f:
        f.writelines(lines)
    expect_fail(imap_auth, "XOAUTH2", lambda _c: xoauth2("bob", tok))


@check("OAuth token endpoint: refresh grant mints a working token; bad grant -> 400")
def _():
    url = ENV["SASLKIT_LAB_TOKEN_ENDPOINT"]

    def post(form):
        req = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(req, context=ctx(), timeout=10) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)
    st, body = post({"grant_type": "refresh_token", "client_id": ENV["SASLKIT_LAB_OAUTH_CLIENT_ID"],
                     "refresh_token": ENV["SASLKIT_LAB_OAUTH_REFRESH_TOKEN"]})
    assert st == 200 and body["token_type"] == "Bearer" and body["expires_in"] == 3600, body
    m, _ = imap_auth("OAUTHBEARER", lambda _c: oauthbearer("alice", body["access_token"]))
    m.logout()
    st, bad = post({"grant_type": "refresh_token", "client_id": ENV["SASLKIT_LAB_OAUTH_CLIENT_ID"],
                    "refresh_token": "wrong"})
    assert st == 400 and bad == {"error": "invalid_grant"}, (st, bad)
    st, bad = post({"grant_type": "refresh_token", "client_id": "someone-else",
                    "refresh_token": ENV["SASLKIT_LAB_OAUTH_REFRESH_TOKEN"]})
    assert st == 400 and bad["error"] == "invalid_grant", (st, bad)


@check("POP3: greeting has an APOP timestamp; APOP, USER/PASS, AUTH PLAIN")
def _():
    p = poplib.POP3(HOST, port("POP3"), timeout=10)
    assert b"<" in p.getwelcome()
    p.stls(ctx())
    p.apop("alice", ENV["SASLKIT_LAB_ALICE_PASS"])
    p.quit()
    p = poplib.POP3_SSL(HOST, port("POP3S"), context=ctx(), timeout=10)
    p.user("bob")
    p.pass_(ENV["SASLKIT_LAB_BOB_PASS"])
    p.quit()
    p = poplib.POP3_SSL(HOST, port("POP3S"), context=ctx(), timeout=10)
    r = p._shortcmd("AUTH PLAIN " + base64.b64encode(plain("jose", ENV["SASLKIT_LAB_JOSE_PASS"])(b"")).decode())
    assert r.startswith(b"+OK"), r
    p.quit()


def submit(port_name, user, pw, rcpts, subject, implicit=False):
    if implicit:
        s = smtplib.SMTP_SSL(HOST, port(port_name), context=ctx(), timeout=20)
    else:
        s = smtplib.SMTP(HOST, port(port_name), timeout=20)
        s.starttls(context=ctx())
    s.ehlo()
    if pw.isascii():
        s.login(user, pw)  # smtplib picks CRAM-MD5 / PLAIN / LOGIN
    else:  # smtplib encodes passwords as ASCII: do AUTH PLAIN by hand
        code, resp = s.docmd("AUTH", "PLAIN " + base64.b64encode(plain(user, pw)(b"")).decode())
        assert code == 235, (code, resp)
    msg = ("From: %s@localhost\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@lab>\r\n\r\n"
           "Hello from the saslkit lab check.\r\n..dot-stuffed line\r\n" % (
               user, ", ".join(rcpts), subject, uuid.uuid4().hex))
    s.sendmail("%s@localhost" % user, rcpts, msg.encode())
    s.quit()


def imap_find(user, pw, subject, wait=10):
    deadline = time.time() + wait
    while True:
        m, _ = imap_auth("PLAIN", plain(user, pw))
        m.select("INBOX")
        typ, data = m.search(None, "SUBJECT", '"%s"' % subject)
        ids = data[0].split()
        if ids:
            typ, msg = m.fetch(ids[-1], "(RFC822)")
            m.logout()
            return msg[0][1]
        m.logout()
        if time.time() > deadline:
            raise AssertionError("message %r not in %s's INBOX" % (subject, user))
        time.sleep(0.2)


@check("Submission 10587 STARTTLS + AUTH -> sink -> Maildir, read back over IMAP/POP3")
def _():
    subject = "lab-check-" + uuid.uuid4().hex[:8]
    submit("SUBMISSION", "alice", ENV["SASLKIT_LAB_ALICE_PASS"], ["alice@localhost", "bob@localhost"],
           subject)
    body = imap_find("alice", ENV["SASLKIT_LAB_ALICE_PASS"], subject)
    assert b"\r\n..dot-stuffed line" in body, body  # sent as "...", unstuffed twice
    imap_find("bob", ENV["SASLKIT_LAB_BOB_PASS"], subject)
    p = poplib.POP3_SSL(HOST, port("POP3S"), context=ctx(), timeout=10)
    p.user("bob")
    p.pass_(ENV["SASLKIT_LAB_BOB_PASS"])
    count, _ = p.stat()
    assert count >= 1
    p.quit()
    return "subject %s" % subject


@check("Submissions 10465 implicit TLS + AUTH; unknown recipient rejected")
def _():
    subject = "lab-check-" + uuid.uuid4().hex[:8]
    submit("SUBMISSIONS", "jose", ENV["SASLKIT_LAB_JOSE_PASS"], ["jose@localhost"], subject,
           implicit=True)
    imap_find("jose", ENV["SASLKIT_LAB_JOSE_PASS"], subject)
    try:
        submit("SUBMISSION", "alice", ENV["SASLKIT_LAB_ALICE_PASS"], ["nobody@localhost"], subject)
        raise AssertionError("unknown recipient accepted")
    except smtplib.SMTPRecipientsRefused:
        pass


@check("Kerberos: kinit with the client keytab, kvno of every service principal")
def _():
    env = dict(os.environ, KRB5_CONFIG=ENV["KRB5_CONFIG"], KRB5CCNAME=ENV["KRB5CCNAME"])
    subprocess.run(["kinit", "-k", "-t", ENV["SASLKIT_LAB_CLIENT_KEYTAB"],
                    ENV["SASLKIT_LAB_KRB5_PRINCIPAL"]], env=env, check=True, capture_output=True,
                   stdin=subprocess.DEVNULL)
    principals = ["imap/localhost", "pop/localhost", "smtp/localhost",
                  "%s/%s" % (ENV["SASLKIT_LAB_GSSAPI_CUSTOM_SERVICE"],
                             ENV["SASLKIT_LAB_GSSAPI_CUSTOM_HOST"])]
    subprocess.run(["kvno"] + principals, env=env, check=True, capture_output=True,
                   stdin=subprocess.DEVNULL)


def curl_gssapi(url, *extra, mail=None):
    env = dict(os.environ, KRB5_CONFIG=ENV["KRB5_CONFIG"], KRB5CCNAME=ENV["KRB5CCNAME"])
    cmd = ["curl", "-sS", "--max-time", "20", "--cacert", ENV["SASLKIT_LAB_CA"],
           "--login-options", "AUTH=GSSAPI", "-u", ENV["SASLKIT_LAB_KRB5_PRINCIPAL"] + ":"]
    if mail is not None:
        cmd += ["--mail-from", "alice@localhost", "--mail-rcpt", "alice@localhost", "-T", "-"]
    r = subprocess.run(cmd + list(extra) + [url], env=env, capture_output=True, text=True,
                       input=mail or "")
    if r.returncode != 0:
        raise AssertionError("curl %s: rc=%d %s" % (url, r.returncode, r.stderr.strip()))
    return r.stdout


@check("GSSAPI (via curl): IMAP, POP3, submission, and SmtpSvc@mail.saslkit.test")
def _():
    if shutil.which("curl") is None:
        return "skipped: no curl"
    curl_gssapi("imap://localhost:%d/" % port("IMAP"), "--ssl-reqd")
    curl_gssapi("pop3://localhost:%d/" % port("POP3"), "--ssl-reqd")
    mail = "Subject: lab-check gssapi\r\n\r\nhi\r\n"
    curl_gssapi("smtp://localhost:%d" % port("SUBMISSION"), "--ssl-reqd", mail=mail)
    # Non-default service name; Dovecot accepts any keytab principal (auth_gssapi_hostname=$ALL).
    host, svc = ENV["SASLKIT_LAB_GSSAPI_CUSTOM_HOST"], ENV["SASLKIT_LAB_GSSAPI_CUSTOM_SERVICE"]
    curl_gssapi("smtp://%s:%d" % (host, port("SUBMISSION")), "--service-name", svc,
                "--connect-to", "%s:%d:127.0.0.1:%d" % (host, port("SUBMISSION"), port("SUBMISSION")),
                mail=mail)



@check("Cyrus IMAP/POP3 (TLS 1.2): NTLM and SCRAM-*-PLUS offered; PLAIN and SCRAM logins")
def _():
    n = 0
    m = imaplib.IMAP4(HOST, port("CYRUS_IMAP"), timeout=10)
    m.starttls(ctx())
    caps = set(m.capabilities)
    want = {"AUTH=" + x for x in ("NTLM", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS",
                                  "SCRAM-SHA-256", "DIGEST-MD5", "CRAM-MD5", "PLAIN")}
    assert not want - caps, "Cyrus IMAP lacks %s" % (want - caps)
    m.logout()
    for user, pw in users():
        m = imaplib.IMAP4_SSL(HOST, port("CYRUS_IMAPS"), ssl_context=ctx(), timeout=10)
        assert m.sock.version() == "TLSv1.2", m.sock.version()
        typ, _ = m.authenticate("SCRAM-SHA-256", scram("sha256", user, pw))
        assert typ == "OK", user
        m.logout()
        p = poplib.POP3_SSL(HOST, port("CYRUS_POP3S"), context=ctx(), timeout=10)
        p.user(user)
        p.pass_(pw)
        p.stat()  # the INBOX was made at the first login
        p.quit()
        n += 2
    m = imaplib.IMAP4(HOST, port("CYRUS_IMAP"), timeout=10)
    m.starttls(ctx())
    expect_fail(imap_auth, "PLAIN", plain("alice", "wrong"), m)
    return "%d logins, a wrong password refused" % n



@check("Postfix submission (Cyrus SASL): NTLM offered, no -PLUS; SCRAM login, relay to the sink")
def _():
    s = smtplib.SMTP(HOST, port("POSTFIX_SUBMISSION"), timeout=10)
    s.starttls(context=ctx())
    s.ehlo()
    mechs = set(s.esmtp_features.get("auth", "").split())
    assert {"NTLM", "SCRAM-SHA-256", "PLAIN"} <= mechs, mechs
    assert not any(m.endswith("-PLUS") for m in mechs), mechs
    s.login("alice", ENV["SASLKIT_LAB_ALICE_PASS"])  # smtplib picks CRAM-MD5 or PLAIN
    subject = "lab-check-postfix-%d" % os.getpid()
    s.sendmail("alice@localhost", ["bob@localhost"],
               "Subject: %s\r\n\r\nvia Postfix\r\n" % subject)
    s.quit()
    box = os.path.join(ENV["SASLKIT_LAB_MAIL_DIR"], "bob", "new")
    for _ in range(100):
        if any(subject in open(os.path.join(box, f), errors="replace").read()
               for f in os.listdir(box)):
            return "relayed " + subject
        time.sleep(0.1)
    raise AssertionError("message via Postfix did not reach the sink")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.environ.get("SASLKIT_LAB_DIR", "/tmp/saslkit-lab"), "env")
    if not os.path.exists(path):
        print("lab check: %s not found; is the lab running? (tests/lab/lab.sh start)" % path)
        return 2
    load_env(path)
    for fn in CHECKS:
        fn()
    failed = [n for ok, n in RESULTS if not ok]
    print("%d checks, %d failed" % (len(RESULTS), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
