#!/usr/bin/env bash
# Regenerates docs/performance.md and docs/performance-recovery.png: builds the CLI, agent, demo
# and bench into target-perf (not the usual target/), then runs every figure (about 40 minutes on 2 shared cores).
# Options for java go in PERF_OPTS, e.g. PERF_OPTS="-Dperf.rounds=3 -Dperf.sizes=1,10".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q -Djlp.build.dir=target-perf -DskipTests -Pperf -pl cli,bench -am package
exec java ${PERF_OPTS:-} -cp bench/target-perf/benchmarks.jar org.jlivepatch.bench.perf.PerfRun "$root" target-perf "$@"
