#!/usr/bin/env python3
"""Runs an example program and checks that its output holds each expected line fragment.

usage: expect_output.py PROGRAM [--env K=V ...] -- FRAGMENT [FRAGMENT ...]
"""
import os, subprocess, sys

args = sys.argv[1:]
sep = args.index("--")
program, options, fragments = args[0], args[1:sep], args[sep + 1:]
env = dict(os.environ)
for o in options:
    if o.startswith("--env="):
        k, v = o[len("--env="):].split("=", 1)
        env[k] = v
proc = subprocess.run([program], capture_output=True, text=True, timeout=120, env=env)
out = proc.stdout + proc.stderr
missing = [f for f in fragments if f not in out]
if proc.returncode != 0 or missing:
    print(out)
    print(f"exit {proc.returncode}; missing: {missing}")
    sys.exit(1)
print(f"ok: {len(fragments)} expected fragments found")
