#!/usr/bin/env bash
# Benchmarks: builds the jar, then runs bench/Bench.java, which drives target/close-task-bulk.jar (child
# JVMs) against the Close emulator and writes docs/BENCHMARKS.md. About 13 minutes. Not part of the tests.
# `bash bench/run.sh real-run` runs only section 5b (a real run of 100,000 and 1,000,000 rows, -Xmx256m),
# `bash bench/run.sh once` only section 7 (a 15-row file with --once), and `bash bench/run.sh rate-limit` only
# section 2 at concurrency 2 and 4 (`pacer`: the pacer alone, no Camel, against the same limit); each prints
# its section. `bash bench/run.sh profile` records section 3's no-latency run with JFR (target/bench/overhead.jfr).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q package -DskipTests
mkdir -p target/bench
javac -d target/bench -cp target/close-task-bulk.jar bench/Bench.java
java -Xmx2g -cp "target/close-task-bulk.jar:target/bench" Bench "$@"
