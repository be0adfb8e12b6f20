#!/usr/bin/env python3
"""Runs an example program and checks that its output holds each expected line fragment.

usage: expect_output.py PROGRAM [--lab] [--env=K=V ...] [--arg=A ...] -- FRAGMENT [FRAGMENT ...]

A V of the form $NAME takes the value of NAME (after --lab, e.g. $SASLKIT_LAB_CYRUS_IMAP_PORT).

--lab reads the running lab's env file ($SASLKIT_LAB_DIR/env, default /tmp/saslkit-lab/env)
and points the examples' SASLKIT_EXAMPLE_* variables at it. Each --arg=A is passed to the
program, with $NAME replaced by the environment's value (the lab's variables included).
"""
import os, subprocess, sys

args = sys.argv[1:]
sep = args.index("--")
program, options, fragments = args[0], args[1:sep], args[sep + 1:]
env = dict(os.environ)
if "--lab" in options:
    lab = os.path.join(os.environ.get("SASLKIT_LAB_DIR", "/tmp/saslkit-lab"), "env")
    with open(lab) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    env.update({
        "SASLKIT_EXAMPLE_HOST": env["SASLKIT_LAB_HOST"],
        "SASLKIT_EXAMPLE_CA": env["SASLKIT_LAB_CA"],
        "SASLKIT_EXAMPLE_SMTP_PORT": env["SASLKIT_LAB_SUBMISSION_PORT"],
        "SASLKIT_EXAMPLE_POP3_PORT": env["SASLKIT_LAB_POP3_PORT"],
        "SASLKIT_EXAMPLE_IMAP_PORT": env["SASLKIT_LAB_IMAP_PORT"],
        "SASLKIT_EXAMPLE_USER": env["SASLKIT_LAB_ALICE_USER"],
        "SASLKIT_PASSWORD": env["SASLKIT_LAB_ALICE_PASS"],
        "SASLKIT_EXAMPLE_DOMAIN": env["SASLKIT_LAB_KRB5_REALM"],
        "SASLKIT_EXAMPLE_TARGET": "SmtpSvc/mail.saslkit.test",
        "SASLKIT_EXAMPLE_TOKEN_ENDPOINT": env["SASLKIT_LAB_TOKEN_ENDPOINT"],
        "SASLKIT_EXAMPLE_CLIENT_ID": env["SASLKIT_LAB_OAUTH_CLIENT_ID"],
        "SASLKIT_EXAMPLE_REFRESH_TOKEN": env["SASLKIT_LAB_OAUTH_REFRESH_TOKEN"],
    })
for o in options:
    if o.startswith("--env="):
        k, v = o[len("--env="):].split("=", 1)
        env[k] = env[v[1:]] if v.startswith("$") else v
argv = [program]
for o in options:
    if o.startswith("--arg="):
        a = o[len("--arg="):]
        for k in sorted(env, key=len, reverse=True):
            a = a.replace("$" + k, env[k])
        argv.append(a)
proc = subprocess.run(argv, capture_output=True, text=True, timeout=300, env=env)
out = proc.stdout + proc.stderr
missing = [f for f in fragments if f not in out]
if proc.returncode != 0 or missing:
    print(out)
    print(f"exit {proc.returncode}; missing: {missing}")
    sys.exit(1)
print(f"ok: {len(fragments)} expected fragments found")
