#!/usr/bin/env bash
# Benchmarks: builds the jar, then runs bench/Bench.java, which drives target/close-task-bulk.jar (child
# JVMs) against the Close emulator and writes docs/BENCHMARKS.md. About 13 minutes. Not part of the tests.
# `bash bench/run.sh real-run` runs only section 5b (a real run of 100,000 and 1,000,000 rows, -Xmx256m),
# `bash bench/run.sh extra-columns` only section 5c (the same with five carried columns),
# `bash bench/run.sh resume` only section 5d (1,000,000 rows killed at 90 %, then resumed, -Xmx256m),
# `bash bench/run.sh once` only section 7 (a 15-row file with --once), `bash bench/run.sh launcher` only its
# part through the distribution's bin/close-task-bulk, `bash bench/run.sh local-cost` sections 5 and 5b, and
# `bash bench/run.sh rate-limit` only section 2 at concurrency 2 and 4 (`pacer`: the pacer alone, no Camel,
# against the same limit); each prints its sections. `bash bench/run.sh profile` records section 3's
# no-latency run with JFR (target/bench/overhead.jfr). -Dbench.jar=<jar> (in BENCH_OPTS) measures another
# build's jar with this harness.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q package -DskipTests
mkdir -p target/bench
rm -rf target/bench/dist && mkdir -p target/bench/dist && tar xzf target/close-task-bulk-*.tar.gz -C target/bench/dist
javac -d target/bench -cp target/close-task-bulk.jar bench/Bench.java
java -Xmx2g ${BENCH_OPTS:-} -cp "target/close-task-bulk.jar:target/bench" Bench "$@"
