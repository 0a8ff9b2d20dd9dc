#!/usr/bin/env bash
# The heap a batch keeps per input line: scans a LINES-line OpenAI Batch file (written once to
# FILE) under a small heap and marks every line answered, as `switchboard batch` does.
#   bench/batch-memory.sh [LINES] [XMX] [FILE]      defaults: 1000000 48m /tmp/switchboard-batch-1m.jsonl
# Needs the client's test classes: ./mvnw -q -pl client -am test-compile
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-1000000}
XMX=${2:-48m}
FILE=${3:-/tmp/switchboard-batch-1m.jsonl}
CP_FILE=client/target/bench-classpath.txt
./mvnw -q -o -pl client org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
CP="client/target/test-classes:client/target/classes:schemas/target/classes:$(cat "$CP_FILE")"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), java $(java -version 2>&1 | head -1)"
echo "command: java -Xmx$XMX -XX:+UseSerialGC -cp ... io.switchboard.client.batch.internal.BatchMemoryBench $FILE $LINES"
java -Xmx"$XMX" -XX:+UseSerialGC -cp "$CP" io.switchboard.client.batch.internal.BatchMemoryBench "$FILE" "$LINES"
