#!/usr/bin/env bash
# Runs the benchmark matrix on this machine and writes the "Switchboard end to end" section of
# docs/benchmarks.md (the rest of the file is kept). Every run starts its own in-process broker,
# mock provider, router and workers on 127.0.0.1 and stops by itself.
#
#   bench/run.sh            # the full matrix (about 40 minutes on 2 cores)
#   QUICK=1 bench/run.sh    # shorter runs, to check the script
#   ONLY="rpm-under rpm-over" bench/run.sh   # only these runs; the others' reports in OUT_DIR are kept
set -euo pipefail
cd "$(dirname "$0")/.."
out_dir="${OUT_DIR:-target/bench}"
mkdir -p "$out_dir"
dur="${DURATION:-30}"
warmup="${WARMUP:-30}"
# The throughput and latency runs warm up longer: 75 to 105 s into a run the JIT compilers still
# took 23% of the CPU, 270 to 300 s into it 7% (docs/benchmarks.md).
warmup_long="${WARMUP_LONG:-180}"
backlog="${BACKLOG:-1000000}"
rpm_dur="${RPM_DURATION:-75}"   # the rpm runs: more than one 60 s window after a 10 s warm-up
rpm_warmup=10
if [ -n "${QUICK:-}" ]; then dur=5; warmup=3; warmup_long=3; backlog=20000; rpm_dur=5; rpm_warmup=3; fi

./switchboard --version >/dev/null   # builds the jar if needed

run() {  # name, java options, bench args...
  local name="$1" opts="$2"; shift 2
  if [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $name "* ]]; then return 0; fi
  echo "== $name: switchboard bench $*" >&2
  cut -d' ' -f1-3 /proc/loadavg > "$out_dir/$name.load-before"
  # A run that exits non-zero (a reply missing, a baseline failed) is reported and the matrix goes on.
  if ! SWITCHBOARD_JAVA_OPTS="$opts" ./switchboard bench --json "$out_dir/$name.json" "$@" | tee "$out_dir/$name.txt" >&2; then
    echo "warning: $name did not end cleanly; see $out_dir/$name.txt" >&2
  fi
  cut -d' ' -f1-3 /proc/loadavg > "$out_dir/$name.load-after"
}

# Every timed run but the backlog first runs --warmup-seconds of load, not counted: in a fresh JVM
# the JIT compilers alone keep most of a core busy for the first minute.
# 1. Maximum throughput at 0 ms provider latency, 1 and 2 workers (closed loop), each followed by
#    the raw-Kafka baseline with as many records.
#    The parallel collector, the launcher's default: on 2 cores it gave a third more throughput than
#    G1, the JVM's (the same run with G1 follows, for the comparison; see "The collector" in
#    docs/benchmarks.md). The concurrency and memory runs (3 and 4) name G1, on which they were first
#    measured.
throughput_gc="-Xmx2g -XX:+UseParallelGC"
memory_gc="-Xmx1g -XX:+UseG1GC"
run max-1w    "$throughput_gc" --latency-ms 0 --workers 1 --in-flight 4000 --warmup-seconds "$warmup_long" --duration-seconds "$dur"
run max-1w-g1 "-Xmx2g -XX:+UseG1GC" --latency-ms 0 --workers 1 --in-flight 4000 --warmup-seconds "$warmup_long" --duration-seconds "$dur" \
  --no-baseline
run max-2w    "$throughput_gc" --latency-ms 0 --workers 2 --in-flight 4000 --warmup-seconds "$warmup_long" --duration-seconds "$dur"
# 2. Overhead at half the maximum rate (open loop), after a warm-up at full speed (closed loop) as a
#    long-running deployment would have had; then at a light load with the low-latency settings.
half=$(python3 -c "import json;print(int(json.load(open('$out_dir/max-1w.json'))['requests_per_second']/2))" 2>/dev/null \
  || echo 0)   # no max-1w report (ONLY without it): half-rate cannot run
if [ "$half" = 0 ] && { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" half-rate "* ]]; }; then
  echo "half-rate needs the max-1w report in $out_dir" >&2; exit 1
fi
run half-rate "$throughput_gc" --latency-ms 0 --workers 1 --rate "$half" --warmup-seconds "$warmup_long" --warmup-in-flight 4000 \
  --duration-seconds "$dur" --no-baseline
run light "$throughput_gc" --config bench/low-latency-config.yaml --latency-ms 0 --workers 1 --rate 500 \
  --warmup-seconds "$warmup_long" --warmup-in-flight 4000 --duration-seconds "$dur" --no-baseline
# rpm compliance: bench-a (rpm 6,000) and bench-b (rpm 12,000), weights 70/30:
#    at 250 req/s bench-a's weighted share is over its budget and the router sends the rest to
#    bench-b; at 330 req/s both budgets together (300 req/s) are exceeded and the lanes queue.
#    The mock's log gives the most calls any 60 s window saw (warm-up included).
run rpm-under "$throughput_gc" --config bench/rpm-config.yaml --latency-ms 0 --workers 1 --rate 250 \
  --warmup-seconds "$rpm_warmup" --duration-seconds "$rpm_dur" --no-baseline
run rpm-over "$throughput_gc" --config bench/rpm-config.yaml --latency-ms 0 --workers 1 --rate 330 \
  --warmup-seconds "$rpm_warmup" --duration-seconds "$rpm_dur" --no-baseline
# the same budgets spread over 10 s windows (rate_window_seconds: 10): at most 1,000 and 2,000 calls in any 10 s
run rpm-window "$throughput_gc" --config bench/rate-window-config.yaml --latency-ms 0 --workers 1 --rate 250 \
  --warmup-seconds "$rpm_warmup" --duration-seconds "$rpm_dur" --no-baseline
# tpm compliance: bench-a (tpm 240,000) and bench-b (tpm 480,000), weights 70/30, at 250 req/s
run tpm "$throughput_gc" --config bench/tpm-config.yaml --latency-ms 0 --workers 1 --rate 250 \
  --warmup-seconds "$rpm_warmup" --duration-seconds "$rpm_dur" --no-baseline
# 3. Concurrency: 1 s provider latency, one worker, 6000 outstanding, 1 GB heap for the whole process.
run inflight-1s "$memory_gc" --latency-ms 1000 --workers 1 --in-flight 6000 --warmup-seconds "$warmup" \
  --duration-seconds "$dur" --no-baseline
run inflight-1s-2w "$memory_gc" --latency-ms 1000 --workers 2 --in-flight 6000 --warmup-seconds "$warmup" \
  --duration-seconds "$dur" --no-baseline
# More outstanding, so that more than 5,000 reach the worker at once (the rest wait in the router and Kafka).
run inflight-1s-8k "$memory_gc" --latency-ms 1000 --workers 1 --in-flight 8000 --warmup-seconds "$warmup" \
  --duration-seconds 30 --no-baseline
# 4. A backlog published at once and drained, the heap sampled every 100 ms (lowest and highest per 5 s).
run backlog "-Xmx2g -XX:+UseG1GC" --latency-ms 0 --workers 1 --in-flight "$backlog" --requests "$backlog" --duration-seconds 3600 \
  --drain-seconds 1800 --no-baseline
# The same with a full collection at the end of every 5 s window: the lowest samples are the live heap.
run backlog-live "-Xmx2g -XX:+UseG1GC" --config bench/backlog-config.yaml --latency-ms 0 --workers 1 --in-flight "$backlog" --requests "$backlog" \
  --duration-seconds 3600 --drain-seconds 1800 --no-baseline --heap-live

python3 bench/report.py "$out_dir" docs/benchmarks.md
