#!/usr/bin/env bash
# The long version of the crash tests: heavier load, several SIGKILLs of the broker, five rounds
# of rolling restarts. Prints one "[reliability]" line per scenario (replies, duplicates, repeated
# provider calls) and fails if any request lacks a reply or has two. Takes 10-20 minutes on 2 cores.
#   bench/soak.sh                 all scenarios
#   bench/soak.sh BrokerRestartIT
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tests="${1:-WorkerFailoverIT,RouterFailoverIT,BrokerRestartIT}"
cd "$here"
./mvnw -q -B verify -pl app -am -Dswitchboard.soak=true -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test="$tests" -Dfailsafe.failIfNoSpecifiedTests=false
grep -h '^\[reliability\]' app/target/failsafe-reports/*-output.txt || true
