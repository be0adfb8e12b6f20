#!/usr/bin/env python3
"""The command as users run it: one whole `saslkit auth` process against one `curl` process doing
the same login (IMAPS, PLAIN, the lab's Dovecot), run alternately several times. Writes
process.json for bench/report.py: the median CPU time (user + system), wall time and peak RSS of
each (see timed()), and, when valgrind is there, the instructions of one run of
each under callgrind (stable on a shared machine), with the share spent in the dynamic loader.

    python3 bench/process.py --saslkit BUILD/tools/saslkit --out RESULTS/process.json [--runs 11]

Reads the lab's environment (SASLKIT_LAB_CA, SASLKIT_LAB_IMAPS_PORT) from the process or from
/tmp/saslkit-lab/env; writes {"skipped": why} when the lab is not there.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

USER, PASSWORD = "alice", "alice-pass-1"


def lab_env():
    env = dict(os.environ)
    path = os.path.join(os.environ.get("SASLKIT_LAB_DIR", "/tmp/saslkit-lab"), "env")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                m = re.match(r"^(?:export\s+)?([A-Z0-9_]+)=(.*)$", line.strip())
                if m and m.group(1) not in env:
                    env[m.group(1)] = m.group(2).strip("'\"")
    return env


def commands(saslkit, env):
    ca, port = env["SASLKIT_LAB_CA"], env["SASLKIT_LAB_IMAPS_PORT"]
    url = "imaps://localhost:%s" % port
    return {
        "saslkit": [saslkit, "auth", url, "--user", USER, "--mech", "PLAIN", "--cafile", ca],
        "curl": ["curl", "-sS", "--cacert", ca, url, "--user", "%s:%s" % (USER, PASSWORD),
                 "--login-options", "AUTH=PLAIN", "-X", "NOOP"],
    }


def timed(argv, env):
    """Runs argv under GNU time; returns (CPU seconds, wall seconds, peak RSS KiB). The peak RSS
    is GNU time's (%M, the command's own); the CPU time is the rusage wait4 returns for GNU
    time, which includes the command's at microsecond resolution (GNU time prints centiseconds)
    plus GNU time's own fork and wait, the same small amount for both commands."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        start = time.perf_counter()
        child = subprocess.Popen(["/usr/bin/time", "-o", out.name, "-f", "%M"] + argv, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        err = child.stderr.read()
        child.stderr.close()
        code = os.waitstatus_to_exitcode(status)
        child.returncode = code
        if code != 0:
            raise RuntimeError("%s failed (%d): %s" % (argv[0], code,
                                                       err.decode(errors="replace")[-300:]))
        return usage.ru_utime + usage.ru_stime, wall, int(out.read().split()[-1])


def instructions(argv, env):
    """Instructions of one run under callgrind: (total, in ld-linux), or (None, None)."""
    if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
        return None, None
    with tempfile.TemporaryDirectory() as d:
        cg = os.path.join(d, "cg.out")
        r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + cg] + argv,
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if r.returncode != 0 or not os.path.exists(cg):
            return None, None
        text = subprocess.run(["callgrind_annotate", "--inclusive=no", "--threshold=100", cg],
                              capture_output=True, text=True).stdout
        total, loader = None, 0
        for line in text.splitlines():
            m = re.match(r"^\s*([\d,]+)\s.*PROGRAM TOTALS", line)
            if m:
                total = int(m.group(1).replace(",", ""))
                continue
            m = re.match(r"^\s*([\d,]+)\s.*\s(\S+):(\S+)", line)
            if m and "ld-linux" in line:
                loader += int(m.group(1).replace(",", ""))
        return total, loader


def shared_objects(argv, env):
    """The number of shared objects the process maps (LD_DEBUG=files)."""
    e = dict(env, LD_DEBUG="files")
    r = subprocess.run(argv, env=e, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return len(set(re.findall(r"file=(\S+) \[0\];  generating link map", r.stderr)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--saslkit", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--runs", type=int, default=11)
    p.add_argument("--no-callgrind", action="store_true")
    a = p.parse_args()
    env = lab_env()
    result = {}
    if "SASLKIT_LAB_IMAPS_PORT" not in env or "SASLKIT_LAB_CA" not in env:
        result["skipped"] = "the lab is not running (no SASLKIT_LAB_IMAPS_PORT)"
    elif not shutil.which("curl"):
        result["skipped"] = "curl is not installed"
    else:
        env["SASLKIT_PASSWORD"] = PASSWORD
        cmds = commands(a.saslkit, env)
        try:
            for name, argv in cmds.items():  # one warm-up each (page cache, the server's)
                timed(argv, env)
            runs = {name: [] for name in cmds}
            for _ in range(a.runs):  # alternately, so both see the same machine
                for name, argv in cmds.items():
                    runs[name].append(timed(argv, env))
        except RuntimeError as e:
            result["skipped"] = str(e)
        else:
            result["runs"] = a.runs
            for name, argv in cmds.items():
                cpu, wall, rss = zip(*runs[name])
                entry = {"cpu": statistics.median(cpu), "wall": statistics.median(wall),
                         "rss_kib": statistics.median(rss),
                         "shared_objects": shared_objects(argv, env),
                         "command": " ".join(argv).replace(PASSWORD, "***")}
                if not a.no_callgrind:
                    entry["instructions"], entry["loader_instructions"] = instructions(argv, env)
                result[name] = entry
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
