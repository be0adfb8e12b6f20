#!/usr/bin/env python3
"""Turns the results of bench/run into Markdown: the exchange tables (time and instructions,
saslkit against Cyrus SASL, GNU SASL and the crypto floor, with the ratios the targets are stated
in), memory and secrets, system calls, PBKDF2, the framework's overhead, the lab's logins and
round trips, and a summary of every target.

    python3 bench/report.py --results build-bench/bench-results > report.md
"""

import argparse
import glob
import json
import os
import platform
import re
import subprocess
from collections import Counter, defaultdict

MECHANISMS = ["PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "NTLM", "SCRAM-SHA-1", "SCRAM-SHA-256",
              "SCRAM-SHA-256 (warm cache)", "XOAUTH2", "OAUTHBEARER"]
SIDES = ["saslkit", "Cyrus SASL", "GNU SASL", "floor"]
PEERS = ["Cyrus SASL", "GNU SASL"]


def load_process(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def load_cases(path):
    cases = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                cases.append(json.loads(line))
    return cases


def load_benchmarks(path):
    """Returns name -> entry, preferring the median aggregate over single runs."""
    if not os.path.exists(path):
        return {}, {}
    with open(path) as f:
        data = json.load(f)
    chosen = {}
    for b in data.get("benchmarks", []):
        name = b.get("run_name", b["name"])
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") != "median":
                continue
        elif name in chosen:
            continue
        chosen[name] = b
    return chosen, data.get("context", {})


def to_ns(value, unit):
    return value * {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[unit]


def load_instructions(directory):
    """Returns benchmark name -> instructions per exchange from the callgrind dumps."""
    out = {}
    for path in glob.glob(os.path.join(directory, "cg.out.*")):
        name = runs = total = None
        with open(path, errors="replace") as f:
            for line in f:
                if line.startswith("desc: Trigger: Client Request:"):
                    m = re.search(r"Client Request: (\S+) runs=(\d+)", line)
                    if m:
                        name, runs = m.group(1), int(m.group(2))
                elif line.startswith("summary:") or line.startswith("totals:"):
                    total = int(line.split()[1])
        if name and runs and total is not None:
            out[name] = total / runs
    return out


def load_syscalls(path):
    """Returns benchmark name -> (calls per exchange, Counter of syscall names per exchange)."""
    out = {}
    if not os.path.exists(path):
        return out
    current = None
    runs = 1
    counts = Counter()
    begin = re.compile(r'access\("/saslkit-bench-marker/begin/([^/]+)/(\d+)"')
    end = re.compile(r'access\("/saslkit-bench-marker/end/')
    call = re.compile(r"^\d+\s+([a-z_0-9]+)\(")
    with open(path, errors="replace") as f:
        for line in f:
            m = begin.search(line)
            if m:
                current, runs, counts = m.group(1), int(m.group(2)), Counter()
                continue
            if end.search(line):
                if current:
                    out[current] = (sum(counts.values()) / runs,
                                    {k: v / runs for k, v in counts.items()})
                current = None
                continue
            if current:
                m = call.match(line)
                if m:
                    counts[m.group(1)] += 1
    return out


def fmt_time(ns):
    if ns is None:
        return "–"
    if ns >= 1e6:
        return "%.2f ms" % (ns / 1e6)
    if ns >= 1e3:
        return "%.2f µs" % (ns / 1e3)
    return "%.0f ns" % ns


def fmt_count(n):
    if n is None:
        return "–"
    if n >= 1e6:
        return "%.2f M" % (n / 1e6)
    if n >= 1e4:
        return "%.1f k" % (n / 1e3)
    return "%.0f" % n


def fmt_ratio(r):
    return "–" if r is None else ("%.2fx" % r if r < 10 else "%.0fx" % r)


def mark(ok):
    return "–" if ok is None else ("yes" if ok else "**no**")


def shell(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except Exception:  # noqa: BLE001 - the report must not fail on a missing tool
        return ""


def machine(context):
    cpu = shell("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    flags = shell("grep -m1 '^flags' /proc/cpuinfo")
    extras = [f for f in ("sha_ni", "avx2", "avx512f") if (" %s " % f) in (flags + " ")]
    versions = []
    for label, cmd in [("OpenSSL", "openssl version | cut -d' ' -f2"),
                       ("Cyrus SASL", "pkg-config --modversion libsasl2"),
                       ("GNU SASL", "pkg-config --modversion libgsasl"),
                       ("Google Benchmark", "pkg-config --modversion benchmark"),
                       ("valgrind", "valgrind --version"),
                       ("compiler", "c++ --version | head -1")]:
        v = shell(cmd)
        if v:
            versions.append("%s %s" % (label, v))
    lines = [
        "- CPU: %s (%s), %s logical CPUs%s" % (
            cpu or "?", ", ".join(extras) or "no SHA extensions", os.cpu_count(),
            ", frequency scaling on" if context.get("cpu_scaling_enabled") else ""),
        "- Load average while measuring: %s (a shared machine: CPU times vary with it; the "
        "instruction counts do not)" % (
            ", ".join("%.2f" % x for x in context.get("load_avg", [])) or "?"),
        "- %s %s, %s" % (platform.system(), platform.release(), shell(
            ". /etc/os-release 2>/dev/null && echo $PRETTY_NAME")),
        "- " + "; ".join(versions),
        "- Build: meson release (-O3, NDEBUG); saslkit linked as a shared library",
    ]
    return "\n".join(lines)


LOGIN_SERVERS = {"Dovecot": "Dovecot 2.3 IMAP", "Cyrus": "Cyrus IMAP 3.6 (TLS 1.2)",
                 "CyrusTls13": "Cyrus IMAP 3.6 (TLS 1.3)",
                 "Postfix": "Postfix 3.7 SMTP (Cyrus SASL)"}
LOGIN_MECHS = {"Plain": "PLAIN", "ScramSha256": "SCRAM-SHA-256",
               "ScramSha256Plus": "SCRAM-SHA-256-PLUS"}
LOGIN_TLS = {"StartTls": "STARTTLS", "Implicit": "implicit"}
SPLICE_BEGIN = "<!-- bench/report.py --splice: logins begin -->"
SPLICE_END = "<!-- bench/report.py --splice: logins end -->"


def load_login_instructions(directory):
    """Returns (benchmark, side) -> [(instructions, resumed, ran PBKDF2)], one per login."""
    out = {}
    for path in glob.glob(os.path.join(directory, "cg.out.*")):
        key = runs = resumed = derived = total = None
        with open(path, errors="replace") as f:
            for line in f:
                if line.startswith("desc: Trigger: Client Request:"):
                    m = re.search(r"Client Request: (\S+)/(\S+) runs=(\d+) resumed=(\d+) "
                                  r"pbkdf2=(\d+)", line)
                    if m:
                        key = (m.group(1), m.group(2))
                        runs, resumed, derived = int(m.group(3)), int(m.group(4)), int(m.group(5))
                elif line.startswith("summary:") or line.startswith("totals:"):
                    total = int(line.split()[1])
        if key and runs and total is not None:
            out.setdefault(key, []).append((total / runs, resumed > 0, derived > 0))
    return out


def logins_section(benchmarks, context, target, instructions=None):
    """The cold/warm/floor tables of BM_LabLogin_*; returns Markdown lines."""
    instructions = instructions or {}
    out = []
    w = out.append
    rows = {}  # (server, tls, mech) -> {temp: entry}; each entry holds the three sides
    for name, b in benchmarks.items():
        m = re.match(r"BM_LabLogin_([A-Za-z0-9]+)_(StartTls|Implicit)_([A-Za-z0-9]+)_"
                     r"(Cold|Warm)$", name.split("/")[0])
        if m:
            rows.setdefault(m.groups()[:3], {})[m.group(4)] = b
    w("## Whole logins over TLS: cold, warm and the floor\n")
    if not rows:
        w("Not measured (bench/run --no-lab, or a filter left them out).\n")
        return out
    w("One run of `%s`; load average while measuring: %s on %s logical CPUs (the lab's "
      "servers run on the same machine). Median of the repetitions. Client CPU is the "
      "benchmark process's CPU time (user + system) per login; the servers' is not in it. "
      "*cold*: fresh TLS session cache, SCRAM key cache and server memory; *warm*: all three "
      "primed. The floor (bench/login_floor.cc) is bare OpenSSL and POSIX sockets doing the "
      "same lines, keeping the same three things and one SSL_CTX. saslkit, the floor and the "
      "floor with an SSL_CTX per login log in by turns in one benchmark, each login timed on "
      "its own; the figures are medians over the logins of a repetition, then the median of "
      "the repetitions. The servers decide what can be reused: the *TLS resumed* and *PBKDF2 "
      "run* columns say how often it was.\n" % (
          context.get("executable", "saslkit_bench").split("/")[-1],
          ", ".join("%.2f" % x for x in context.get("load_avg", [])) or "?",
          context.get("num_cpus", "?")))

    prefixes = {"Saslkit": "saslkit_", "Floor": "floor_", "FloorNewContext": "floor_new_context_"}

    def get(entry, temp, side, key):
        b = entry.get(temp)
        if not b or b.get("error_occurred"):
            return None
        key = {"cpu_time": "cpu_us", "real_time": "wall_us"}.get(key, key)
        v = b.get(prefixes[side] + key)
        return v * 1e3 if v is not None and key in ("cpu_us", "wall_us") else v

    def order(k):
        return (list(LOGIN_SERVERS).index(k[0]) if k[0] in LOGIN_SERVERS else 9,
                0 if k[1] == "StartTls" else 1, list(LOGIN_MECHS).index(k[2])
                if k[2] in LOGIN_MECHS else 9)

    w("| Server | TLS | Mechanism | cold: saslkit | floor | ÷ floor (≤ 1.3) | warm: saslkit | "
      "floor | ÷ floor (≤ 1.3) | warm ÷ cold: saslkit | floor |")
    w("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    errors = []
    for key in sorted(rows, key=order):
        e = rows[key]
        server, tls, mech = key
        label = "%s | %s | %s" % (LOGIN_SERVERS.get(server, server), LOGIN_TLS[tls],
                                  LOGIN_MECHS.get(mech, mech))
        for temp, b in sorted(e.items()):
            if b.get("error_occurred"):
                errors.append("%s, %s: %s" % (label.replace(" | ", ", "), temp.lower(),
                                               b.get("error_message")))
        cells = []
        ratios = {}
        for temp in ("Cold", "Warm"):
            ours = get(e, temp, "Saslkit", "cpu_time")
            floor = get(e, temp, "Floor", "cpu_time")
            ratio = ours / floor if ours and floor else None
            ratios[temp] = ratio
            cells += [fmt_time(ours), fmt_time(floor), fmt_ratio(ratio)]
            target("Every login within 1.3x of its floor in client CPU (CPU time)",
                   "%s, %s" % (label.replace(" | ", ", "), temp.lower()), fmt_ratio(ratio),
                   None if ratio is None else ratio <= 1.3)
        wc = []
        for side in ("Saslkit", "Floor"):
            cold, warm = get(e, "Cold", side, "cpu_time"), get(e, "Warm", side, "cpu_time")
            wc.append(warm / cold if cold and warm else None)
        cells += ["–" if r is None else "%.2f" % r for r in wc]
        if mech.startswith("ScramSha256") and wc[0] is not None:
            target("Warm SCRAM-SHA-256 login ≤ 1/4 of a cold one in client CPU (saslkit, CPU "
                   "time)",
                   label.replace(" | ", ", "), "–" if wc[0] is None else "%.2f" % wc[0],
                   None if wc[0] is None else wc[0] <= 0.25)
        w("| %s | %s |" % (label, " | ".join(cells)))
    w("")
    for err in errors:
        w("- not measured: " + err)
    if errors:
        w("")

    w("| Server | TLS | Mechanism | | wall: saslkit | floor | round trips: saslkit | floor | "
      "attempts: saslkit | floor | TLS resumed: saslkit | floor | PBKDF2 run: saslkit | floor | "
      "CPU of the resumed ones: saslkit | floor |")
    w("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key in sorted(rows, key=order):
        e = rows[key]
        server, tls, mech = key
        label = "%s | %s | %s" % (LOGIN_SERVERS.get(server, server), LOGIN_TLS[tls],
                                  LOGIN_MECHS.get(mech, mech))
        for temp in ("Cold", "Warm"):
            vals = {}
            for side in ("Saslkit", "Floor"):
                for k in ("real_time", "round_trips", "attempts", "resumed", "pbkdf2",
                          "cpu_resumed_us"):
                    vals[(side, k)] = get(e, temp, side, k)
            rt_s, rt_f = vals[("Saslkit", "round_trips")], vals[("Floor", "round_trips")]
            if rt_s is not None and rt_f is not None:
                target("Every login at the floor's round trips",
                       "%s, %s" % (label.replace(" | ", ", "), temp.lower()),
                       "%g vs %g" % (rt_s, rt_f), rt_s <= rt_f)

            def num(v):
                return "–" if v is None else ("%d" % v if abs(v - round(v)) < 1e-9 else
                                              "%.2f" % v)

            def share(v):
                return "–" if v is None else "%.0f%%" % (100 * v)
            def us(v):
                return "–" if v is None else fmt_time(v * 1e3)
            pb = [share(vals[(side, "pbkdf2")]) if mech.startswith("Scram") else "–"
                  for side in ("Saslkit", "Floor")]
            w("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                label, temp.lower(), fmt_time(vals[("Saslkit", "real_time")]),
                fmt_time(vals[("Floor", "real_time")]), num(rt_s), num(rt_f),
                num(vals[("Saslkit", "attempts")]), num(vals[("Floor", "attempts")]),
                share(vals[("Saslkit", "resumed")]), share(vals[("Floor", "resumed")]),
                pb[0], pb[1], us(vals[("Saslkit", "cpu_resumed_us")]),
                us(vals[("Floor", "cpu_resumed_us")])))
    w("")
    if any(get(e, t, "FloorNewContext", "cpu_time") for e in rows.values()
           for t in ("Cold", "Warm")):
        w("The floor again, but making its SSL_CTX (and loading the CA file) for every login as "
          "saslkit does; client CPU per login:\n")
        w("| Server | TLS | Mechanism | cold: floor, SSL_CTX per login | saslkit ÷ it | warm: "
          "floor, SSL_CTX per login | saslkit ÷ it |")
        w("|---|---|---|---:|---:|---:|---:|")
        for key in sorted(rows, key=order):
            e = rows[key]
            server, tls, mech = key
            label = "%s | %s | %s" % (LOGIN_SERVERS.get(server, server), LOGIN_TLS[tls],
                                      LOGIN_MECHS.get(mech, mech))
            cells = []
            for temp in ("Cold", "Warm"):
                ours = get(e, temp, "Saslkit", "cpu_time")
                theirs = get(e, temp, "FloorNewContext", "cpu_time")
                cells += [fmt_time(theirs), fmt_ratio(ours / theirs if ours and theirs else None)]
            w("| %s | %s |" % (label, " | ".join(cells)))
        w("")
    plus = rows.get(("CyrusTls13", "Implicit", "ScramSha256Plus"))
    if plus:
        ca, wa = get(plus, "Cold", "Saslkit", "attempts"), get(plus, "Warm", "Saslkit", "attempts")
        cr, wr = (get(plus, "Cold", "Saslkit", "round_trips"),
                  get(plus, "Warm", "Saslkit", "round_trips"))
        cw, ww = get(plus, "Cold", "Saslkit", "real_time"), get(plus, "Warm", "Saslkit", "real_time")
        cc, wcpu = get(plus, "Cold", "Saslkit", "cpu_time"), get(plus, "Warm", "Saslkit", "cpu_time")
        if None not in (ca, wa, cr, wr):
            target("Cyrus -PLUS (TLS 1.3): the second login saves the refused attempt",
                   "saslkit", "attempts %g → %g, round trips %g → %g, wall %s → %s, CPU %s → %s"
                   % (ca, wa, cr, wr, fmt_time(cw), fmt_time(ww), fmt_time(cc), fmt_time(wcpu)),
                   wa < ca and wr < cr)
    if instructions:
        w("Instructions per login in the client (callgrind, user space only: the kernel's "
          "share of the CPU time is not in them), means over a few logins per side after the "
          "one that primes: independent of the machine's load. Warm logins are split by whether "
          "they resumed TLS (the server decides, so the sides' shares differ), and the few that "
          "ran PBKDF2 after all (the server sent another salt) are left out of them; *fc*: the "
          "floor with an SSL_CTX per login.\n")
        w("| Server | TLS | Mechanism | cold: saslkit | floor | ÷ floor (≤ 1.3) | ÷ fc | "
          "warm, full handshake: saslkit | floor | ÷ floor (≤ 1.3) | ÷ fc | warm, resumed: "
          "saslkit | floor | ÷ floor (≤ 1.3) | ÷ fc | warm logins resumed, with PBKDF2, of "
          "all: saslkit; floor; fc | warm resumed ÷ cold: saslkit | floor |")
        w("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")

        def mean(values):
            return sum(values) / len(values) if values else None

        for key in sorted(rows, key=order):
            server, tls, mech = key
            label = "%s | %s | %s" % (LOGIN_SERVERS.get(server, server), LOGIN_TLS[tls],
                                      LOGIN_MECHS.get(mech, mech))
            name = "BM_LabLogin_%s_%s_%s_" % key
            sides = ("saslkit", "floor", "floor_new_context")
            cold = {sd: mean([v for v, _, _ in instructions.get((name + "Cold", sd), [])])
                    for sd in sides}
            warm = {sd: instructions.get((name + "Warm", sd), []) for sd in sides}
            full = {sd: mean([v for v, r, d in warm[sd] if not r and not d]) for sd in sides}
            resumed = {sd: mean([v for v, r, d in warm[sd] if r and not d]) for sd in sides}
            cells = []
            for what, group in (("cold", cold), ("warm, full handshake", full),
                                ("warm, resumed", resumed)):
                ours, floor, fc = group["saslkit"], group["floor"], group["floor_new_context"]
                ratio = ours / floor if ours and floor else None
                cells += [fmt_count(ours), fmt_count(floor), fmt_ratio(ratio),
                          fmt_ratio(ours / fc if ours and fc else None)]
                if ratio is not None:
                    target("Every login within 1.3x of its floor in client CPU (instructions)",
                           "%s, %s" % (label.replace(" | ", ", "), what), fmt_ratio(ratio),
                           ratio <= 1.3)
            cells.append("; ".join("%d, %d of %d" % (sum(1 for _, r, _ in warm[sd] if r),
                                                     sum(1 for _, _, d in warm[sd] if d),
                                                     len(warm[sd]))
                                   for sd in sides))
            wc = [resumed[sd] / cold[sd] if resumed[sd] and cold[sd] else None
                  for sd in ("saslkit", "floor")]
            cells += ["–" if r is None else "%.2f" % r for r in wc]
            if mech.startswith("ScramSha256") and wc[0] is not None:
                target("Warm SCRAM-SHA-256 login ≤ 1/4 of a cold one in client CPU (saslkit, "
                       "instructions, resumed logins)", label.replace(" | ", ", "),
                       "%.2f (floor %s)" % (wc[0], "–" if wc[1] is None else "%.2f" % wc[1]),
                       wc[0] <= 0.25)
            w("| %s | %s |" % (label, " | ".join(cells)))
        w("")
    ctx = benchmarks.get("BM_Tls_ContextWithCaFile")
    if ctx and not ctx.get("error_occurred"):
        w("- An SSL_CTX made with the lab's CA file loaded, and freed (BM_Tls_ContextWithCaFile): "
          "%s of CPU. saslkit and the floor make one per server and setting and share it (the `floor_new_context` column pays it per login).\n" %
          fmt_time(to_ns(ctx["cpu_time"], ctx["time_unit"])))
    return out


def splice(path, section):
    with open(path) as f:
        text = f.read()
    begin, end = text.find(SPLICE_BEGIN), text.find(SPLICE_END)
    body = SPLICE_BEGIN + "\n" + "\n".join(section).replace("## ", "### ", 1) + "\n" + SPLICE_END
    if begin < 0 or end < begin:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    else:
        text = text[:begin] + body + text[end + len(SPLICE_END):]
    with open(path, "w") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", required=True)
    parser.add_argument("--splice", metavar="FILE",
                        help="also write the whole-login tables into FILE (BENCHMARKS.md) "
                             "between its splice markers")
    args = parser.parse_args()
    r = args.results
    cases = load_cases(os.path.join(r, "cases.jsonl"))
    benchmarks, context = load_benchmarks(os.path.join(r, "benchmark.json"))
    instructions = load_instructions(os.path.join(r, "callgrind"))
    syscalls = load_syscalls(os.path.join(r, "strace.log"))

    by = {}  # (mechanism, side) -> dict
    for c in cases:
        b = benchmarks.get(c["name"])
        entry = dict(c)
        entry["error"] = b.get("error_message") if b and b.get("error_occurred") else None
        entry["time"] = to_ns(b["cpu_time"], b["time_unit"]) if b and not entry["error"] else None
        entry["counters"] = b or {}
        entry["instructions"] = instructions.get(c["name"])
        entry["syscalls"] = syscalls.get(c["name"])
        by[(c["mechanism"], c["side"])] = entry

    out = []
    w = out.append
    w("## Machine\n")
    w(machine(context) + "\n")
    w("Every saslkit row is measured with the default random source (`SystemRandom()`): each "
      "nonce, cnonce or client challenge is drawn from it and paid for in full; only its value is "
      "then replaced by the known-answer vector's, so that the fixed server messages still "
      "verify. The peers' draws likewise pay for their own sources (GNU SASL's getrandom system "
      "call, Cyrus SASL's jrand48). The floor draws nothing.\n")
    targets = {}  # target -> [(what was measured, value, met)]

    def target(name, what, value, ok):
        targets.setdefault(name, []).append((what, value, ok))

    def peer_best(mech, key):
        vals = [(by[(mech, p)][key], p) for p in PEERS
                if (mech, p) in by and by[(mech, p)]["comparable"] and by[(mech, p)][key]]
        return min(vals) if vals else (None, None)

    for key, title, fmt in [("time", "CPU time per exchange (median of the repetitions)",
                             fmt_time),
                            ("instructions", "Instructions per exchange (callgrind)",
                             fmt_count)]:
        w("## Client exchanges: %s\n" % title)
        w("| Mechanism | saslkit | Cyrus SASL | GNU SASL | floor | cheaper peer ÷ saslkit "
          "(≥ 2) | saslkit ÷ floor (≤ 1.5) |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        for mech in MECHANISMS:
            if (mech, "saslkit") not in by:
                continue
            ours = by[(mech, "saslkit")][key]
            cells = []
            for side in SIDES:
                e = by.get((mech, side))
                if e is None:
                    cells.append("n/a")
                elif e["error"]:
                    cells.append("error")
                else:
                    v = fmt(e[key])
                    if side in PEERS and not e["comparable"]:
                        v += " †"
                    cells.append(v)
            best, best_side = peer_best(mech, key)
            peer_ratio = best / ours if best and ours else None
            floor = by.get((mech, "floor"), {}).get(key)
            floor_ratio = ours / floor if ours and floor else None
            w("| %s | %s | %s | %s | %s | %s | %s |" % (
                mech, *cells,
                fmt_ratio(peer_ratio) + ("" if peer_ratio is None else " (%s)" % best_side),
                fmt_ratio(floor_ratio)))
            target("%s: ≥ 2x cheaper than the cheaper of Cyrus SASL and GNU SASL" % mech, key,
                   fmt_ratio(peer_ratio) if peer_ratio else "no peer runs this exchange",
                   None if peer_ratio is None else peer_ratio >= 2)
            target("%s: within 1.5x of its crypto floor" % mech, key, fmt_ratio(floor_ratio),
                   None if floor_ratio is None else floor_ratio <= 1.5)
        w("")
        notes = sorted({"†: %s, %s" % (e["side"], e["note"]) for e in by.values()
                        if e["side"] in PEERS and not e["comparable"]})
        notes += sorted({"%s %s: %s" % (e["mechanism"], e["side"], e["note"])
                         for e in by.values() if e["note"] and e["comparable"]})
        if key == "time":
            for n in notes:
                w("- " + n)
            w("")

    w("## Memory, secrets and system calls per exchange\n")
    w("Allocations count every malloc in the process during one exchange (saslkit, OpenSSL, "
      "libsasl2, libgsasl alike). *Secret blocks* are heap blocks that still held the password "
      "or a key derived from it when freed during the exchange, or that outlived it.\n")
    w("| Mechanism | side | allocations | bytes | peak | secret blocks freed | secret blocks "
      "live after | system calls |")
    w("|---|---|---:|---:|---:|---:|---:|---:|")
    secret_total = 0
    for mech in MECHANISMS:
        for side in SIDES[:3]:
            e = by.get((mech, side))
            if not e or e["error"] or not e["counters"]:
                continue
            c = e["counters"]
            sys_calls = e["syscalls"][0] if e["syscalls"] else None
            if side == "saslkit":
                secret_total += c.get("secret_freed", 0) + c.get("secret_live", 0)
            w("| %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %s |" % (
                mech, side, c.get("allocs", 0), c.get("alloc_bytes", 0), c.get("peak_bytes", 0),
                c.get("secret_freed", 0), c.get("secret_live", 0),
                "–" if sys_calls is None else "%.1f" % sys_calls))
    w("")
    ours_calls = [e["syscalls"][0] for e in by.values() if e["side"] == "saslkit" and e["syscalls"]]
    target("No heap block holding a secret outlives a saslkit exchange", "blocks",
           "%d over %d mechanisms" % (secret_total,
                                      sum(1 for e in by.values() if e["side"] == "saslkit")),
           secret_total == 0 if any(e["counters"] for e in by.values()
                                    if e["side"] == "saslkit") else None)
    if ours_calls:
        target("saslkit makes no system call in an exchange (default random source)",
               "per exchange",
               "%.1f at most" % max(ours_calls), max(ours_calls) == 0)

    w("## SCRAM: PBKDF2 and the salted-password cache; primitives; the random source\n")
    w("| Benchmark | CPU time | |")
    w("|---|---:|---|")
    pb = {}
    for name in ["BM_Pbkdf2_Sha1_Saslkit", "BM_Pbkdf2_Sha1_OpenSsl", "BM_Pbkdf2_Sha1_Compressions",
                 "BM_Pbkdf2_Sha256_Saslkit", "BM_Pbkdf2_Sha256_OpenSsl",
                 "BM_Pbkdf2_Sha256_Compressions", "BM_Hmac_Md5_Saslkit", "BM_Hmac_Md5_OneShot",
                 "BM_Digest_Md5_Saslkit", "BM_Digest_Md5_EvpDigest",
                 "BM_Random_Nonce18_Saslkit", "BM_Random_Nonce18_RandBytes"]:
        b = benchmarks.get(name)
        if not b or b.get("error_occurred"):
            continue
        pb[name] = to_ns(b["cpu_time"], b["time_unit"])
        what = {"Saslkit": "saslkit", "OpenSsl": "PKCS5_PBKDF2_HMAC",
                "Compressions": "8192 bare compressions (the floor at 4096 iterations)",
                "OneShot": "OpenSSL HMAC()", "EvpDigest": "OpenSSL EVP_Digest()",
                "RandBytes": "an 18-octet nonce from OpenSSL's RAND_bytes"}
        label = what.get(name.split("_")[-1], "")
        if name == "BM_Random_Nonce18_Saslkit":
            label = "an 18-octet nonce from the default source (SystemRandom())"
        w("| %s | %s | %s |" % (name, fmt_time(pb[name]), label))
    w("")
    rs, rb = pb.get("BM_Random_Nonce18_Saslkit"), pb.get("BM_Random_Nonce18_RandBytes")
    if rs and rb:
        w("- An 18-octet nonce: the default source is %s cheaper than RAND_bytes." %
          fmt_ratio(rb / rs))
    for h in ["Sha1", "Sha256"]:
        ours = pb.get("BM_Pbkdf2_%s_Saslkit" % h)
        ossl = pb.get("BM_Pbkdf2_%s_OpenSsl" % h)
        comp = pb.get("BM_Pbkdf2_%s_Compressions" % h)
        if ours and ossl and comp:
            w("- PBKDF2-HMAC-%s: saslkit is %.2fx faster than PKCS5_PBKDF2_HMAC and %.2fx the "
              "two-compressions-per-iteration floor." % (h.upper().replace("SHA", "SHA-"),
                                                         ossl / ours, ours / comp))
            target("PBKDF2-HMAC-%s at the two-compressions-per-iteration floor" %
                   h.upper().replace("SHA", "SHA-"), "time",
                   "%.2fx the floor, %.2fx faster than PKCS5_PBKDF2_HMAC" % (ours / comp,
                                                                           ossl / ours),
                   ours / comp <= 1.5)
    cold = by.get(("SCRAM-SHA-256", "saslkit"), {})
    warm = by.get(("SCRAM-SHA-256 (warm cache)", "saslkit"), {})
    gcold = by.get(("SCRAM-SHA-256", "GNU SASL"), {})
    for key in ["time", "instructions"]:
        if cold.get(key) and warm.get(key):
            ratio = cold[key] / warm[key]
            w("- SCRAM-SHA-256 cold ÷ warm (%s): %s" % (key, fmt_ratio(ratio)))
            target("SCRAM-SHA-256 with a warm cache ≥ 200x cheaper than cold (default random "
                   "source)", key, fmt_ratio(ratio), ratio >= 200)
        if cold.get(key) and gcold.get(key):
            ratio = gcold[key] / cold[key]
            w("- GNU SASL ÷ saslkit, cold SCRAM-SHA-256 (%s): %s" % (key, fmt_ratio(ratio)))
            target("Cold SCRAM-SHA-256 ≥ 4x faster than GNU SASL's", key, fmt_ratio(ratio),
                   ratio >= 4)
    w("")
    for mech in ["PLAIN", "LOGIN"]:
        t = by.get((mech, "saslkit"), {}).get("time")
        if t:
            target("%s exchange under 1 µs" % mech, "time", fmt_time(t), t < 1000)

    w("## The framework's own overhead\n")
    w("| Benchmark | CPU time |")
    w("|---|---:|")
    for name, b in sorted(benchmarks.items()):
        if re.match(r"BM_(Registry|Policy|Base64|Smtp|Imap|Pop3)_", name) and \
                not b.get("error_occurred"):
            w("| %s | %s |" % (name, fmt_time(to_ns(b["cpu_time"], b["time_unit"]))))
    w("")

    w("## End to end against the lab's Dovecot (loopback, plaintext)\n")
    lab = {n: b for n, b in benchmarks.items() if n.startswith("BM_Lab_")}
    if not lab:
        w("Not measured (bench/run --no-lab, or a filter left them out).\n")
    else:
        skipped = [b for b in lab.values() if b.get("error_occurred")]
        if len(skipped) == len(lab):
            w("Skipped: %s\n" % skipped[0].get("error_message"))
        w("| Protocol | Mechanism | logins/s | time per login | client CPU per login | round trips "
          "after the greeting | protocol minimum | at minimum |")
        w("|---|---|---:|---:|---:|---:|---:|---|")
        order = {"Smtp": 0, "Pop3": 1, "Imap": 2}
        mech_order = ["Plain", "Login", "CramMd5", "DigestMd5", "ScramSha1", "ScramSha256",
                      "Xoauth2", "OauthBearer"]

        def lab_key(item):
            _, _, proto, mech = item[0].split("/")[0].split("_", 3)
            return (order.get(proto, 9), mech_order.index(mech) if mech in mech_order else 99)

        for name, b in sorted(lab.items(), key=lab_key):
            _, _, proto, mech = name.split("/")[0].split("_", 3)
            if b.get("error_occurred"):
                w("| %s | %s | skipped: %s | | | | | |" % (proto, mech, b.get("error_message")))
                continue
            rt, mn = b.get("round_trips"), b.get("minimum")
            ok = rt is not None and mn is not None and rt == mn
            target("Round trips to authenticated at the protocol minimum",
                   "%s %s" % (proto.upper(), mech), "%d (minimum %d)" % (rt, mn), ok)
            w("| %s | %s | %.0f | %s | %s | %d | %d | %s |" % (
                proto.upper(), mech, b.get("items_per_second", 0),
                fmt_time(to_ns(b["real_time"], b["time_unit"])),
                fmt_time(to_ns(b["cpu_time"], b["time_unit"])), rt, mn, mark(ok)))
        w("")

    section = logins_section(benchmarks, context, target,
                             load_login_instructions(os.path.join(r, "callgrind-logins")))
    out.extend(section)
    if args.splice:
        splice(args.splice, section)

    w("## The command as users run it: `saslkit auth` against curl\n")
    process = load_process(os.path.join(args.results, "process.json"))
    if process is None:
        w("Not measured (bench/run --no-lab or --filter).\n")
    elif "skipped" in process:
        w("Skipped: %s\n" % process["skipped"])
    else:
        sk, cu = process["saslkit"], process["curl"]
        w("One IMAPS login with PLAIN to the lab's Dovecot and a NOOP, each a whole process "
          "(start-up, TLS handshake, login, exit), run alternately %d times; medians from GNU "
          "time, instructions from one run of each under callgrind.\n" % process["runs"])
        w("- saslkit: `%s` (password from SASLKIT_PASSWORD)" % sk["command"])
        w("- curl: `%s`\n" % cu["command"])
        w("| | saslkit auth | curl | saslkit ÷ curl (≤ 1) |")
        w("|---|---:|---:|---:|")
        rows = [("CPU time (user + system)", "cpu", lambda v: "%.1f ms" % (v * 1e3)),
                ("wall time", "wall", lambda v: "%.1f ms" % (v * 1e3)),
                ("peak RSS", "rss_kib", lambda v: "%.1f MiB" % (v / 1024)),
                ("instructions", "instructions", fmt_count),
                ("of them in the dynamic loader", "loader_instructions", fmt_count),
                ("shared objects loaded", "shared_objects", lambda v: "%d" % v)]
        for label, key, fmt in rows:
            a, b = sk.get(key), cu.get(key)
            if a is None or b is None:
                continue
            ratio = a / b if b else None
            w("| %s | %s | %s | %s |" % (label, fmt(a), fmt(b), fmt_ratio(ratio)))
            if key in ("cpu", "wall", "rss_kib", "instructions"):
                target("`saslkit auth` at or below curl for the same login", label,
                       fmt_ratio(ratio), ratio is not None and ratio <= 1)
        w("")

    w("## Targets\n")
    w("| Target | measured | met |")
    w("|---|---|---|")
    for name, parts in targets.items():
        if name.startswith("Every login"):
            measured = [p for p in parts if p[2] is not None]
            misses = [p for p in measured if p[2] is False]
            w("| %s | %d of %d logins%s | %s |" % (
                name, len(measured) - len(misses), len(measured),
                "" if not misses else " (not: %s)" % "; ".join(
                    "%s %s" % (p[0], p[1]) for p in misses),
                mark(None if not measured else not misses)))
            continue
        if name.startswith("Round trips"):
            misses = [p for p in parts if p[2] is False]
            w("| %s | %d of %d protocol and mechanism pairs at the minimum%s | %s |" % (
                name, sum(1 for p in parts if p[2]), len(parts),
                "" if not misses else " (not: %s)" % ", ".join(p[0] for p in misses),
                mark(not misses)))
            continue
        values = {value for _, value, _ in parts}
        measured = (values.pop() if len(values) == 1 and len(parts) > 1 else
                    "; ".join("%s %s" % (what, value) for what, value, _ in parts))
        oks = [ok for _, _, ok in parts if ok is not None]
        if not oks:
            met = "–"
        elif all(oks):
            met = "yes"
        elif not any(oks):
            met = "**no**"
        else:
            met = "; ".join("%s %s" % (what, mark(ok)) for what, _, ok in parts)
        w("| %s | %s | %s |" % (name, measured, met))
    w("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
