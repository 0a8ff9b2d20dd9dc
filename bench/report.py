"""Writes the end-to-end section of docs/benchmarks.md from the bench JSON reports."""
import json
import os
import platform
import re
import subprocess
import sys

out_dir, doc = sys.argv[1], sys.argv[2]
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def load(name):
    path = os.path.join(out_dir, name + ".json")
    return json.load(open(path)) if os.path.exists(path) else None


def cpu():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
rows = []
for name, what in [("max-1w", "max throughput, 1 worker, 0 ms provider"),
                   ("max-2w", "max throughput, 2 workers, 0 ms provider"),
                   ("half-rate", "half the max rate (open loop), 1 worker"),
                   ("inflight-1s", "1 s provider latency, 1 worker, 6000 outstanding, -Xmx1g"),
                   ("inflight-1s-2w", "1 s provider latency, 2 workers, 6000 outstanding, -Xmx1g"),
                   ("inflight-1s-8k", "1 s provider latency, 1 worker, 8000 outstanding, 30 s, -Xmx1g"),
                   ("backlog", "backlog published at once, then drained")]:
    r = load(name)
    if not r:
        continue
    ratio = r.get("ratio_to_baseline")
    rows.append("| {} | {} | {:.0f} | {} | {:.1f} / {:.1f} / {:.1f} | {:.1f} / {:.1f} | {} | {} | {} | {} |".format(
        what, r["sent"], r["requests_per_second"],
        "{:.0f}%".format(100 * ratio) if ratio else "",
        r["reply_latency"]["p50"], r["reply_latency"]["p99"], r["reply_latency"]["max"],
        r["overhead"]["p50"], r["overhead"]["p99"], r["peak_in_flight"], r.get("peak_worker_in_flight", ""),
        r["heap_peak_mb"],
        ", ".join("{} {:+.1f}".format(k, v) for k, v in r["split_deviation"].items())))

section = "\n".join([
    START,
    "## Switchboard end to end",
    "",
    "Written by `bench/run.sh` from the JSON reports of `switchboard bench` (20 s runs unless said).",
    "Broker, router, workers, mock provider and load generator all run in one JVM on the same",
    "machine, with nothing else running.",
    "",
    "Machine: {} cores ({}), {:.0f} GiB, {}.".format(os.cpu_count(), cpu(), mem, java),
    "",
    "| run | requests | req/s | of raw Kafka | reply ms p50 / p99 / max | overhead ms p50 / p99 | peak outstanding | peak calls in one worker | heap peak MB | split vs exact |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    *rows,
    "",
    "Overhead is the reply latency minus the provider call's own latency. \"Of raw Kafka\" compares",
    "with the same number of records through three plain produce/consume hops on the same broker",
    "(no transactions, acks=all). Commands: see `bench/run.sh`.",
    END,
])
text = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n"
if START in text:
    text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda m: section, text, flags=re.S)
else:
    text = text.rstrip() + "\n\n" + section + "\n"
open(doc, "w").write(text)
print("wrote", doc)
