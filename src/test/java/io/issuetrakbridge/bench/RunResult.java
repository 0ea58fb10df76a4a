package io.issuetrakbridge.bench;

import java.util.Arrays;
import java.util.Locale;

/** The figures of one run, computed over its measured commands (warm-up excluded). */
record RunResult(Benchmark.RunSpec spec, boolean complete, int answered, int errors, int repeatedReplies,
        double throughput, double seconds, Latency endToEnd, Latency added, Latency consumed, Cpu cpu,
        long serviceRssBytes, SandboxCheck.Verdict verdict, String sandboxStats, ServiceMetrics.Requests requests) {

    /** Milliseconds. */
    record Latency(double p50, double p95, double p99, double max) {
        static Latency of(long[] sorted, long minus) {
            if (sorted.length == 0) {
                return new Latency(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            return new Latency(at(sorted, 0.50) - minus, at(sorted, 0.95) - minus, at(sorted, 0.99) - minus,
                    sorted[sorted.length - 1] - minus);
        }

        private static double at(long[] sorted, double q) {
            return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "p50 %.1f / p95 %.1f / p99 %.1f / max %.1f ms", p50, p95, p99, max);
        }
    }

    /** CPU charged to each process during the measured window, and the window's wall time (ns). */
    record Cpu(long serviceNanos, long sandboxNanos, long brokerNanos, long harnessNanos, long machineNanos,
            long wallNanos, double loadAverage) {
        /** CPU used by processes that are not part of the benchmark (other builds on a shared machine). */
        long othersNanos() {
            return Math.max(0, machineNanos - serviceNanos - sandboxNanos - brokerNanos - harnessNanos);
        }

        double cores(long nanos) {
            return (double) nanos / wallNanos;
        }
    }

    static RunResult of(Benchmark.RunSpec spec, Workload.Collector c, long[] commandTime, long latencyMs, Cpu cpu,
            long rss, SandboxCheck.Verdict verdict, boolean complete, String sandboxStats,
            ServiceMetrics.Requests requests) {
        int from = spec.warmup();
        int to = from + spec.n();
        long[] e2e = new long[spec.n()];
        long[] consumed = new long[spec.n()];
        int k = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        int errors = 0;
        for (int i = from; i < to; i++) {
            first = Math.min(first, commandTime[i]);
            if (c.replyAppendTime[i] >= 0) {
                last = Math.max(last, c.replyAppendTime[i]);
                e2e[k] = c.replyAppendTime[i] - commandTime[i];
                consumed[k] = c.consumedAt[i] - commandTime[i];
                k++;
            }
        }
        e2e = Arrays.copyOf(e2e, k);
        consumed = Arrays.copyOf(consumed, k);
        Arrays.sort(e2e);
        Arrays.sort(consumed);
        double seconds = Math.max(0.001, (last - first) / 1000.0);
        return new RunResult(spec, complete, k, c.errors.get(), c.repeatedReplies.get(), k / seconds, seconds,
                Latency.of(e2e, 0), Latency.of(e2e, latencyMs), Latency.of(consumed, 0), cpu, rss, verdict,
                sandboxStats, requests);
    }

    /** End-to-end latency (ms, broker time to broker time) of the answered commands among {@code indexes}. */
    static Latency endToEnd(Workload.Collector c, long[] commandTime, java.util.stream.IntStream indexes) {
        long[] ms = indexes.filter(i -> c.replyAppendTime[i] >= 0).mapToLong(i -> c.replyAppendTime[i] - commandTime[i])
                .sorted().toArray();
        return Latency.of(ms, 0);
    }

    double serviceCpuMicrosPerNote() {
        return cpu.serviceNanos() / 1000.0 / Math.max(1, answered);
    }

    double sandboxCpuMicrosPerNote() {
        return cpu.sandboxNanos() / 1000.0 / Math.max(1, answered);
    }

    double brokerCpuMicrosPerNote() {
        return cpu.brokerNanos() / 1000.0 / Math.max(1, answered);
    }

    String summary() {
        return String.format(Locale.ROOT,
                "%s: %s%,d/%,d answered in %.1f s = %,.0f notes/s; end-to-end %s; bridge-added %s; "
                        + "service CPU %.1f us/note (%.2f cores), RSS %d MB; sandbox %.1f us/note (%.2f cores); "
                        + "broker %.1f us/note (%.2f cores); harness %.2f cores; other processes %.2f cores (load %.1f); duplicates %d, order violations %d, "
                        + "missing %d, errors %d, repeated replies %d; Issuetrak calls (the service's timer) %s",
                spec.name(), complete ? "" : "INCOMPLETE ", answered, spec.n(), seconds, throughput, endToEnd, added,
                serviceCpuMicrosPerNote(), cpu.cores(cpu.serviceNanos()), serviceRssBytes / (1024 * 1024),
                sandboxCpuMicrosPerNote(), cpu.cores(cpu.sandboxNanos()), brokerCpuMicrosPerNote(),
                cpu.cores(cpu.brokerNanos()), cpu.cores(cpu.harnessNanos()), cpu.cores(cpu.othersNanos()),
                cpu.loadAverage(), verdict.duplicates(),
                verdict.orderViolations(), verdict.missing(), errors, repeatedReplies,
                requests == null ? "not read" : requests);
    }
}
