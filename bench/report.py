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


def load_avg(name):
    parts = []
    for when in ("before", "after"):
        path = os.path.join(out_dir, name + ".load-" + when)
        parts.append(open(path).read().split()[0] if os.path.exists(path) else "?")
    return " → ".join(parts)


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
for name, what in [("max-1w", "max throughput, 1 worker, 0 ms provider, parallel GC"),
                   ("max-1w-g1", "the same with G1"),
                   ("max-2w", "max throughput, 2 workers, 0 ms provider, parallel GC"),
                   ("half-rate", "half the max rate (open loop), 1 worker, parallel GC"),
                   ("light", "500 req/s (open loop), low-latency settings, 1 worker, parallel GC"),
                   ("inflight-1s", "1 s provider latency, 1 worker, 6000 outstanding, -Xmx1g"),
                   ("inflight-1s-2w", "1 s provider latency, 2 workers, 6000 outstanding, -Xmx1g"),
                   ("inflight-1s-8k", "1 s provider latency, 1 worker, 8000 outstanding, 30 s, -Xmx1g"),
                   ("backlog", "backlog published at once, then drained"),
                   ("backlog-live", "the same, a full collection every 5 s (--heap-live)")]:
    r = load(name)
    if not r:
        continue
    def of(ratio_key, base_key):
        ratio, base = r.get(ratio_key), r.get(base_key)
        return "{:.0f}% of {:.0f}".format(100 * ratio, base) if ratio else ""

    rows.append("| {} | {} | {} | {} | {:.0f} | {} | {} | {:.2f} | {:.1f} / {:.1f} / {:.1f} | {:.1f} / {:.1f} | {} | {} | {} | {} |".format(
        what, load_avg(name), r["sent"], r["errors"], r["requests_per_second"],
        of("ratio_to_baseline", "baseline_records_per_second"),
        of("ratio_to_eos_baseline", "baseline_eos_records_per_second"),
        r.get("cpu_ms_per_request", 0),
        r["reply_latency"]["p50"], r["reply_latency"]["p99"], r["reply_latency"]["max"],
        r["overhead"]["p50"], r["overhead"]["p99"], r["peak_in_flight"], r.get("peak_worker_in_flight", ""),
        r["heap_peak_mb"],
        ", ".join("{} {:+.1f}".format(k, v) for k, v in r["split_deviation"].items())))

stage_lines = []
staged = [(name, what, load(name)) for name, what in [("max-1w", "max throughput, 1 worker"),
                                                    ("half-rate", "half the max rate"),
                                                    ("light", "light load")]]
staged = [(n, w, r) for n, w, r in staged if r and r.get("stages")]
if staged:
    stages = list(staged[0][2]["stages"].keys())
    stage_lines = [
        "",
        "Where the reply time went, ms p50 / p99 (wall-clock times each reply carries: published to read",
        "by the router, from there to the first provider call, call end to the reply record's send (the",
        "worker's next transaction), and from then to the reply read (the commit and the fetch)):",
        "",
        "| run | " + " | ".join(stages) + " |",
        "| --- | " + " | ".join("---" for _ in stages) + " |",
        *["| {} | {} |".format(w, " | ".join(
            "{:.0f} / {:.0f}".format(r["stages"][s]["p50"], r["stages"][s]["p99"]) if s in r["stages"] else ""
            for s in stages)) for n, w, r in staged],
    ]

rpm_lines = []
rpm_runs = [(w, load(n)) for n, w in [("rpm-under", "250 req/s: bench-a's weighted share over its rpm"),
                                      ("rpm-over", "330 req/s: over both rpm together (300 req/s)"),
                                      ("rpm-window", "250 req/s, `bench/rate-window-config.yaml` (`rate_window_seconds: 10`)")]]
rpm_runs = [(w, r) for w, r in rpm_runs if r and r.get("rpm_window_max")]
if rpm_runs:
    rpm_lines = [
        "",
        "rpm compliance (`bench/rpm-config.yaml`: bench-a rpm 6,000 and bench-b rpm 12,000, weights",
        "70/30, open loop, 1 worker, 0 ms provider; durations in `bench/run.sh`): the most calls the mock",
        "provider logged in any 60 s window of the run and its warm-up, per deployment, against its rpm",
        "(and, where recorded, in any 10 s window, or the deployment's `rate_window_seconds`):",
        "",
        "| run | not ok | reply ms p50 / p99 / max | " + " | ".join(
            "{} (rpm {})".format(d, v[1]) for d, v in rpm_runs[0][1]["rpm_window_max"].items()) + " |",
        "| --- | --- | --- | " + " | ".join("---" for _ in rpm_runs[0][1]["rpm_window_max"]) + " |",
        *["| {} | {} | {:.1f} / {:.1f} / {:.1f} | {} |".format(
            w, r["errors"], r["reply_latency"]["p50"], r["reply_latency"]["p99"], r["reply_latency"]["max"],
            " | ".join("{}{}{}{}".format(v[0], " (over)" if v[0] > v[1] else "",
                                         "; {} in {} s".format(v[2], v[3] if len(v) > 3 else 10) if len(v) > 2 else "",
                                         "; {} routed over budget".format(r["over_budget"][d])
                                         if d in r.get("over_budget", {}) else "")
                       for d, v in r["rpm_window_max"].items()))
          for w, r in rpm_runs],
    ]

tpm_lines = []
tpm_run = load("tpm")
if tpm_run and tpm_run.get("tpm_window_max"):
    tpm_lines = [
        "",
        "tpm compliance (`bench/tpm-config.yaml`: bench-a tpm 240,000 and bench-b tpm 480,000, weights",
        "70/30, 250 req/s, open loop, 1 worker, 0 ms provider): the most tokens the mock provider",
        "answered in usage (prompt plus completion) in any 60 s window, per deployment, against its tpm:",
        "",
        "| run | not ok | reply ms p50 / p99 / max | " + " | ".join(
            "{} (tpm {})".format(d, v[1]) for d, v in tpm_run["tpm_window_max"].items()) + " |",
        "| --- | --- | --- | " + " | ".join("---" for _ in tpm_run["tpm_window_max"]) + " |",
        "| 250 req/s | {} | {:.1f} / {:.1f} / {:.1f} | {} |".format(
            tpm_run["errors"], tpm_run["reply_latency"]["p50"], tpm_run["reply_latency"]["p99"],
            tpm_run["reply_latency"]["max"],
            " | ".join("{}{}".format(v[0], " (over)" if v[0] > v[1] else "") for v in tpm_run["tpm_window_max"].values())),
    ]

heap_lines = []
backlog = load("backlog-live") or load("backlog")
if backlog and backlog.get("heap"):
    windows = backlog["heap"]
    step = max(1, len(windows) // 12)
    picked = windows[::step]
    if picked[-1] is not windows[-1]:
        picked.append(windows[-1])
    slope = backlog.get("heap_trough_slope_mb_per_minute")
    late = backlog.get("heap_second_half_slope_mb_per_minute")
    heap_lines = [
        "",
        "Heap during the backlog run{} (one JVM: broker, router, worker, mock, load generator), sampled".format(
            " with a full collection at the end of every window" if load("backlog-live") else ""),
        "every 100 ms; per 5 s window the lowest sample ({}) and the highest.".format(
            "the live heap" if load("backlog-live") else "what the collections left"),
        "Slope of the lowest samples over the run: {}.".format(
            "{:+.1f} MB per minute over {} windows".format(slope, len(windows)) if slope is not None else "n/a")
        + (" Over the second half of the windows: {:+.1f} MB per minute.".format(late) if late is not None else ""),
        "",
        "| s | replies | heap MB lowest / highest |",
        "| --- | --- | --- |",
        *["| {:.0f} | {} | {} / {} |".format(w["at_seconds"], w["replies"], w["min_mb"], w["max_mb"]) for w in picked],
    ]

section = "\n".join([
    START,
    "## Switchboard end to end",
    "",
    "Written by `bench/run.sh` from the JSON reports of `switchboard bench` (the warm-up and the",
    "measured time of each run are in the script). Broker, router, workers, mock provider and load",
    "generator all run in one JVM on the same machine; the load average before and after each run",
    "says what else ran.",
    "",
    "Machine: {} cores ({}), {:.0f} GiB, {}.".format(os.cpu_count(), cpu(), mem, java),
    "",
    "| run | load avg | requests | not ok | req/s | of raw Kafka (records/s) | of raw Kafka, exactly-once | CPU ms/req | reply ms p50 / p99 / max | overhead ms p50 / p99 | peak outstanding | peak calls in one worker | heap peak MB | split vs exact |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    *rows,
    *stage_lines,
    *rpm_lines,
    *tpm_lines,
    *heap_lines,
    "",
    "Overhead is the reply latency minus the provider call's own latency. \"Of raw Kafka\" compares",
    "with the same number of records through three plain produce/consume hops on the same broker",
    "(no transactions, acks=all); \"exactly-once\" with the same hops as Switchboard's guarantees:",
    "transactional producers, offsets committed in the transactions, read_committed consumers.",
    "CPU ms/req is the CPU time of the whole process per reply.",
    "Commands: see `bench/run.sh`.",
    END,
])
text = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n"
if START in text:
    text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda m: section, text, flags=re.S)
else:
    text = text.rstrip() + "\n\n" + section + "\n"
open(doc, "w").write(text)
print("wrote", doc)
