#!/usr/bin/env python3
"""A simplified model of one router task's budget rules under Poisson arrivals, for the "Rate
windows" section of docs/benchmarks.md: how many requests find no budget left anywhere (routed over
budget) when the arrivals at the task are as smooth as the offered load.

The model: bench/rate-window-config.yaml over 6 router tasks at RATE req/s in total; per task
bench-a may take 167 requests in any 10.6 s (counted per tenth of a second) and 1,000 in 63 s,
bench-b 333 and 2,000; among the deployments with budget left the pick is a smooth weighted round
robin (70/30). It leaves out the rotation counts that the real router keeps across picks.

    python3 bench/rate-window-model.py [RATE] [SEEDS]
"""
import collections
import random
import sys

RATE = float(sys.argv[1]) if len(sys.argv) > 1 else 250.0
SEEDS = int(sys.argv[2]) if len(sys.argv) > 2 else 6
TASKS, SECONDS = 6, 85.0                     # the run and its warm-up
CAPS = {"a": (167, 1000), "b": (333, 2000)}  # (in the rate window, in the minute) per task
WEIGHTS = {"a": 0.7, "b": 0.3}


def one_task(rng):
    window = {d: collections.deque() for d in CAPS}
    minute = {d: collections.deque() for d in CAPS}
    current = {d: 0.0 for d in CAPS}
    t, over, requests = 0.0, 0, 0
    while True:
        t += rng.expovariate(RATE / TASKS)
        if t >= SECONDS:
            return over, requests
        requests += 1
        tenth, second = int(t * 10), int(t)
        for d in CAPS:
            while window[d] and window[d][0] <= tenth - 106:
                window[d].popleft()
            while minute[d] and minute[d][0] <= second - 63:
                minute[d].popleft()
        eligible = [d for d in CAPS if len(window[d]) < CAPS[d][0] and len(minute[d]) < CAPS[d][1]]
        if not eligible:
            over += 1
            eligible = list(CAPS)
        total = sum(WEIGHTS[d] for d in eligible)
        for d in eligible:
            current[d] += WEIGHTS[d]
        pick = max(eligible, key=lambda d: current[d])
        current[pick] -= total
        window[pick].append(tenth)
        minute[pick].append(second)


for seed in range(1, SEEDS + 1):
    rng = random.Random(seed)
    runs = [one_task(rng) for _ in range(TASKS)]
    print("seed {}: {} of {} requests routed over budget".format(
        seed, sum(o for o, _ in runs), sum(n for _, n in runs)))
