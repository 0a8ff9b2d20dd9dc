#!/usr/bin/env bash
# The long version of the crash tests: heavier load, several SIGKILLs of the broker, five rounds
# of rolling restarts. Prints one "[reliability]" line per scenario (replies, duplicates, repeated
# provider calls) and fails if any request lacks a reply or has two. Takes 10-20 minutes on 2 cores.
#   bench/soak.sh                 all scenarios
#   bench/soak.sh BrokerRestartTest
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tests="${1:-WorkerFailoverTest,RouterFailoverTest,BrokerRestartTest}"
cd "$here"
./mvnw -q -B test -pl app -am -Dswitchboard.soak=true -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false
grep -h '^\[reliability\]' app/target/surefire-reports/*-output.txt || true
