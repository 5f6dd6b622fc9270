#!/usr/bin/env python3
# Turns bench/run.sh's raw numbers (server, repetition, metric, value) into the results table:
# medians over the repetitions, each as a ratio to tmdns, and the efficiency target's verdicts.
"""report.py RESULTS.tsv [--rate Q --duration S --reps N --callgrind-queries N --servers L]"""

import argparse
import os
import platform
import statistics
import subprocess
import time

PEERS = ["gdnsd", "knot", "nsd"]
NAMES = {"tmdns": "tmdns", "gdnsd": "gdnsd", "knot": "Knot", "nsd": "NSD",
         "null": "do-nothing responder"}


def load(path):
    data = {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4 or parts[3] in ("", "nan"):
                continue
            server, _, metric, value = parts
            try:
                data.setdefault((server, metric), []).append(float(value))
            except ValueError:
                pass
    return {k: statistics.median(v) for k, v in data.items()}


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s, %d CPUs, Linux %s" % (cpu, os.cpu_count() or 0, platform.release())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--rate", type=int, default=0)
    parser.add_argument("--duration", type=int, default=0)
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--callgrind-queries", type=int, default=0)
    parser.add_argument("--servers", default="tmdns,gdnsd,knot,nsd,null")
    parser.add_argument("--load-start", default="?")
    args = parser.parse_args()
    m = load(args.results)
    servers = args.servers.split(",")

    def get(server, metric):
        return m.get((server, metric))

    def cell(server, metric, fmt):
        v = get(server, metric)
        base = get("tmdns", metric)
        if v is None:
            return "–", "–"
        ratio = "–"
        if base:
            ratio = "%.2f×" % (v / base)
        return fmt % v, ratio

    print("Run %s; %d repetition(s), medians; offered rate %d q/s for %d s; callgrind over %d "
          "queries." % (time.strftime("%Y-%m-%d %H:%M %Z"), args.reps, args.rate, args.duration,
                        args.callgrind_queries))
    print("Machine: %s; load average (1, 5, 15 min) %s when measuring began, %s at the end." % (
        machine(), args.load_start, " ".join(open("/proc/loadavg").read().split()[:3])))
    print("Versions: " + ", ".join(
        "%s %s" % (name, version(["dpkg-query", "-W", "-f", "${Version}", pkg]))
        for name, pkg in (("dnsperf", "dnsperf"), ("gdnsd", "gdnsd"), ("Knot", "knot"),
                          ("NSD", "nsd"), ("valgrind", "valgrind"))) + ".")
    print()
    print("| server | zero-loss q/s | ×tmdns | CPU µs/query | ×tmdns | avg latency µs | ×tmdns "
          "| p99 latency µs | ×tmdns | instructions/query | ×tmdns |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in servers:
        row = [NAMES.get(s, s)]
        for metric, fmt in (("qps", "%.0f"), ("cpu_us", "%.2f"), ("avg_us", "%.0f"),
                            ("p99_us", "%.0f"), ("instr", "%.0f")):
            row += cell(s, metric, fmt)
        print("| " + " | ".join(row) + " |")
    lost = [(s, get(s, "rate_lost"), get(s, "rate_achieved")) for s in servers]
    print()
    print("At the offered rate: " + "; ".join(
        "%s lost %s, achieved %s q/s" % (NAMES.get(s, s), "–" if l is None else "%.0f" % l,
                                         "–" if a is None else "%.0f" % a)
        for s, l, a in lost) + ".")

    if get("tmdns", "serve_ms") is not None:
        print()
        print("tmdns with 10,000 profiles × 5 endpoints (probes off): `--check-config` %.0f ms, "
              "start to serving %.0f ms, RSS %.1f MiB; reload (SIGHUP to serving) %.0f ms, RSS "
              "after reload %.1f MiB." % (get("tmdns", "check_ms"), get("tmdns", "serve_ms"),
                                          get("tmdns", "rss_mib"), get("tmdns", "reload_ms"),
                                          get("tmdns", "rss_reload_mib")))

    # The efficiency target.
    verdicts = []
    peers = [p for p in PEERS if p in servers]
    cpu = get("tmdns", "cpu_us")
    if cpu and peers:
        best = min((get(p, "cpu_us"), p) for p in peers if get(p, "cpu_us"))
        verdicts.append("CPU/query ≤ 0.9× best peer (%s %.2f µs): %.2f× — %s" % (
            NAMES[best[1]], best[0], cpu / best[0], "met" if cpu <= 0.9 * best[0] else "MISSED"))
    if cpu and get("null", "cpu_us"):
        r = cpu / get("null", "cpu_us")
        verdicts.append("CPU/query ≤ 1.15× do-nothing responder: %.2f× — %s" % (
            r, "met" if r <= 1.15 else "MISSED"))
    for metric, label, better in (("qps", "zero-loss q/s ≥ every peer", max),
                                  ("p99_us", "p99 latency ≤ every peer", min)):
        mine = get("tmdns", metric)
        others = [(get(p, metric), p) for p in peers if get(p, metric) is not None]
        if mine is None or not others:
            continue
        if better is max:
            worst = max(others)
            ok = mine >= worst[0]
        else:
            worst = min(others)
            ok = mine <= worst[0]
        verdicts.append("%s (best peer %s %.0f, tmdns %.0f): %s" % (
            label, NAMES[worst[1]], worst[0], mine, "met" if ok else "MISSED"))
    instr = get("tmdns", "instr")
    others = [(get(p, "instr"), p) for p in peers if get(p, "instr") is not None]
    if instr is not None and others:
        best = min(others)
        verdicts.append("instructions/query lowest of the servers (best peer %s %.0f, tmdns "
                        "%.0f): %s" % (NAMES[best[1]], best[0], instr,
                                       "met" if instr < best[0] else "MISSED"))
    if verdicts:
        print()
        print("Target:")
        for v in verdicts:
            print("- " + v)


if __name__ == "__main__":
    main()
