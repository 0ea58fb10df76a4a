#!/usr/bin/env bash
# The benchmark of issue 7 (docs/BENCHMARKS.md): a real Kafka broker, the sandbox and the packaged
# service, each in its own JVM, driven by io.issuetrakbridge.bench.Benchmark (src/test/java, never shipped).
#
#   bench/run.sh                         # full run: N=100,000, K=10,000, P=6, L=20 ms; writes docs/BENCHMARKS.md
#   bench/run.sh --n=10000 --out=none    # a quick look while developing
#
# Options (--key=value): n, issues, partitions, latency-ms, seq-n, one-partition-n, one-partition-issues,
# half-load-seconds, misrouted-n (default min(n, 20000)), misrouted-rate (default 0: as fast as possible), warmup, runs (main,misrouted,sequential,one-partition,half-load;
# misrouted: every command produced to a partition that is not its issue's home, so the bridge forwards it; only when
# named: budget, hot (issue 15 (a): hot-n commands of one issue next to hot-n over 300 others, and the others alone),
# hot-pairs (the same in alternating segments on one service) and
# priority (issue 15 (b): one ce_priority: high command behind a backlog of priority-backlog)), hot-n (600),
# hot-rate (100: the others' rate in the hot run; 0 as fast as possible), hot-first (without; with: the hot issue's
# half first), hot-pairs (run hot-pairs: issue 15 (a) on one service, this many alternating pairs of segments without
# and with the hot issue after an unmeasured one, pooled; default 4), priority-backlog (10000), budget-n (900),
# budget-rules, app (another build's quarkus-app), half-rate, jfr (runs to profile from the JVM start, default
# none; e.g. main), xmx (service heap, default 256m), service-opt (extra JVM/-D option for the
# service, repeatable), sandbox-event-loops, sandbox-workers and sandbox-queue-limit (the sandbox's knee: workers
# serving at once, 0 for none, and the queue before its 503s), out (report file, default docs/BENCHMARKS.md; none to skip).
# --no-build skips packaging (reuse target/quarkus-app).
set -euo pipefail
cd "$(dirname "$0")/.."

build=true
args=()
for a in "$@"; do
  if [[ "$a" == "--no-build" ]]; then build=false; else args+=("$a"); fi
done

if $build; then
  echo "[bench] packaging the service (./mvnw -B -o -q package -DskipTests)"
  ./mvnw -B -o -q package -DskipTests
fi
# Harness classes and the broker's jars (kafka_2.13 is a provided dependency: on this classpath, not in the app).
./mvnw -B -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
  -Dmdep.includeScope=test
exec java -Xmx1g -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  -Dbench.command="bench/run.sh $*" io.issuetrakbridge.bench.Benchmark ${args[@]+"${args[@]}"}
