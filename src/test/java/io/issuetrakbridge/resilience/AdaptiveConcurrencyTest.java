package io.issuetrakbridge.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * The limiter against a simulated server (no wall clock): {@code workers} requests are served at once, each
 * for {@code serviceMs}; the rest queue FIFO, so a request's time grows once more than {@code workers} are in
 * flight; past {@code queueLimit} waiting requests the answer is an immediate 503. A closed loop of clients
 * keeps far more requests ready than the server can take, so only the limiter decides the concurrency.
 */
class AdaptiveConcurrencyTest {

    private static final int CLIENTS = 64;

    @Test
    void settlesNearTheServersWorkerCount() {
        Simulation sim = new Simulation(10, 20, 1_000, 64);

        sim.run(6_000);

        // The knee is 10 concurrent requests; Vegas keeps a queue of limit/8..limit/4 (at least 2..3) above it,
        // so the limit is 10 + 2..3 and a request's time at the server at most 13/10 x 20 ms.
        assertSettled(sim.limitsInSecondHalf(), 10, 15);
        assertThat(sim.meanServedMsOfLast(3_000)).isLessThanOrEqualTo(30.0);
        assertThat(sim.answered503).isZero();
    }

    @Test
    void findsADifferentKneeFromTheSameStart() {
        Simulation sim = new Simulation(30, 20, 1_000, 64);

        sim.run(12_000);

        // 30 + 30/8..30/4: 34..40 at most 1.5 x the 20 ms of an unloaded server.
        assertSettled(sim.limitsInSecondHalf(), 30, 45);
        assertThat(sim.meanServedMsOfLast(6_000)).isLessThanOrEqualTo(30.0);
    }

    @Test
    void neverGoesAboveMaxConnectionsWhereLatencyNeverRises() {
        Simulation sim = new Simulation(1_000, 20, 1_000, 16);

        sim.run(3_000);

        assertThat(sim.limiter.limit()).isEqualTo(16);
        assertThat(sim.peakAtServer).isEqualTo(16);
    }

    @Test
    void answers503CountAsCongestion() {
        // No queue: past 10 concurrent requests the server answers 503 at once, which looks fast, not slow.
        Simulation sim = new Simulation(10, 20, 0, 64);

        sim.run(6_000);

        // Every request above 10 at once is refused: each window with a 503 takes 10% off the limit and each without
        // adds 1, so it probes one request over the workers (11), drops to 9.9 and climbs back. (The 1 ms 503s are
        // a large share of the answers counted, since each client retries at once; what matters is the limit.)
        assertSettled(sim.limitsInSecondHalf(), 9, 11);
    }

    @Test
    void comesBackToTheKneeAfterA503Storm() {
        Simulation sim = new Simulation(10, 20, 0, 64);
        sim.run(3_000);

        // The server gets a queue again: past 10 at once requests wait instead of being refused.
        sim.queueLimit(1_000);
        sim.run(6_000);

        assertSettled(sim.lastLimits(3_000), 10, 15);
        assertThat(sim.meanServedMsOfLast(3_000)).isLessThanOrEqualTo(30.0);
    }

    // Row (c)'s knee: 8 workers at 20 ms. The client adds 2 ms to each answer (the benchmark's lowest window average
    // was 21.9 ms against the sandbox's 20), and 6 ms more during the first 10 s, while it warms up (in the
    // benchmark's log the lowest window average fell from 160 ms to 24 ms during the warm-up, in steps).
    private static Simulation knee() {
        return new Simulation(8, 20, 1_000, 64).client(2, 6, 10);
    }

    @Test
    void settlesAtTheKneeOnceWarm() {
        Simulation sim = knee();

        sim.runSeconds(60);

        // By hand: at a limit of L >= 8 the server serves 400/s, 0.8 requests are in the client's 2 ms, so an answer
        // takes L / 400 s = 2.5 L ms against 22 ms unloaded: Vegas's queue is ceil(L - 8.8), under alpha = 2 at 9,
        // 2..3 (hold) at 10..11, above beta = 3 at 12 (-10%): 10..11, 9 or 12 for a window. A probe holds half of
        // it, 5, for a few windows every 7.5..12.5 s. The server then holds at most 11 - 0.8 requests: 25.5 ms each,
        // at most 1.5 x its unloaded 20 ms (30); throughput 400/s (8 workers / 20 ms), the best any fixed setting
        // reaches; at least 90% of it is 360/s. (Without the probe the warm-up's no-load latency, 28 ms, was never
        // measured again: the limit held 13, 30.5 ms at the server, as in the benchmark's 13-14.)
        assertAtTheKnee(sim, 30, 9, 12, 30.0, 360.0, 22.0);
    }

    @Test
    void reLearnsAServerThatBecameSlowerForGood() {
        // Each request takes 40 ms from 30 s on, with the same 8 workers: the knee is still 8.
        Simulation sim = afterTheServersTimeChanges(40);

        // Until the next probe every answer reads as a queue of L x (1 - 22/42) and the limit shrinks; the probe (at
        // most 12.5 s away; allow 15 s) measures 42 ms. Then, by hand as above: 200/s, 0.4 in the client, an answer
        // takes 5 L ms, the queue is ceil(L - 8.4): 10..11 (9 or 12 for a window), 40 x 10.6 / 8 = 53 ms at the
        // server (at most 1.5 x 40 = 60), at least 90% of the slower server's 200/s is 180/s, over the next 15 s.
        // (Without the probe the limit held 8, from the warm-up's no-load latency of 28 ms: a queue of ceil(L / 3).)
        assertAtTheKnee(sim, 15, 9, 12, 60.0, 180.0, 42.0);
    }

    @Test
    void reLearnsAServerThatBecameFasterForGood() {
        // Each request takes 10 ms from 30 s on, with the same 8 workers: the knee is still 8.
        Simulation sim = afterTheServersTimeChanges(10);

        // Vegas takes the first faster window (a queue included) as its no-load latency at once; the probe (at most
        // 12.5 s away; allow 15 s) measures 12 ms. By hand: 800/s, 1.6 in the client, an answer takes 1.25 L ms, the
        // queue is ceil(L - 9.6): under 2 at 10, 2..3 at 11..12, 4 at 13: 11..12 (10 or 13 for a window), 10 x 10.4
        // / 8 = 13 ms at the server (at most 1.5 x 10 = 15), at least 90% of 800/s is 720/s, over the next 15 s.
        // (Without the probe the limit held 15: 16.75 ms at the server.)
        assertAtTheKnee(sim, 15, 10, 13, 15.0, 720.0, 12.0);
    }

    // Over the last seconds: the limit settled within low..high, the mean time at the server and the notes created;
    // and the no-load latency the limit believes now (the server's time and the client's 2 ms).
    private static void assertAtTheKnee(Simulation sim, int seconds, int low, int high, double maxServedMs,
            double minPerSecond, double noLoadMs) {
        assertThat(sim.limiter.noLoadLatencySeconds()).isCloseTo(noLoadMs / 1000, within(1e-6));
        assertSettled(sim.limitsOverLast(seconds), low, high);
        assertThat(sim.meanServedMsOverLast(seconds)).isLessThanOrEqualTo(maxServedMs);
        assertThat(sim.createdPerSecondOverLast(seconds)).isGreaterThanOrEqualTo(minPerSecond);
    }

    // 30 s at 20 ms, then serviceMs: 15 s for the next probe (at most 12.5 s away) and 15 s to measure.
    private static Simulation afterTheServersTimeChanges(long serviceMs) {
        Simulation sim = knee();
        sim.runSeconds(30);
        sim.serviceMs(serviceMs);
        sim.runSeconds(15);
        sim.runSeconds(15);
        return sim;
    }

    /**
     * The limit stays within low..high but during the re-measuring phases, which hold half of it (at least 2) for
     * about 250 ms every 7.5..12.5 s: at least 95% of the answers come with a limit in the band, none above it.
     */
    private static void assertSettled(List<Integer> limits, int low, int high) {
        assertThat(limits).allSatisfy(limit -> assertThat(limit).isBetween(Math.max(2, low / 2), high));
        long inBand = limits.stream().filter(limit -> limit >= low).count();
        assertThat(inBand / (double) limits.size()).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void notAdaptiveLetsEveryRequestThrough() {
        AdaptiveConcurrency off = new AdaptiveConcurrency(false, 4, 256, () -> 0L);

        assertThat(off.limit()).isEqualTo(256);
        assertThat(off.call(() -> Uni.createFrom().item(201), status -> status).await().indefinitely())
                .isEqualTo(201);
        assertThat(off.waiting()).isZero();
    }

    /**
     * Discrete-event simulation: a clock, the server's worker free times, and answers due at given times. An answer
     * reaches the limiter {@code clientMs} after the server finished it (the client's own time: signing, the event
     * loop), plus {@code warmUpMs} during the first {@code warmUpSeconds} (a cold JIT on a shared CPU).
     */
    private static final class Simulation {

        private long serviceNanos;
        private long clientNanos;
        private long warmUpNanos;
        private long warmUpSpanNanos;
        private int queueLimit;
        private boolean started;
        private final AdaptiveConcurrency limiter;
        private long now;
        private long seq;
        private final PriorityQueue<Long> workerFreeAt = new PriorityQueue<>();
        private final List<Long> acceptedStarts = new ArrayList<>();
        private final PriorityQueue<Due> due = new PriorityQueue<>();
        private final List<Integer> limits = new ArrayList<>();
        // Time at the server of each 201 answer, in ms, in completion order (the 503s are not served).
        private final List<Double> servedMs = new ArrayList<>();
        // When each answer reached the client, in answer order.
        private final List<Long> answeredAt = new ArrayList<>();
        private int completions;
        private int target;
        private int atServer;
        // Clients that stopped when a run() reached its target, to go on in the next one.
        private final List<Runnable> resumed = new ArrayList<>();
        int peakAtServer;
        int answered503;
        final List<Integer> statuses = new ArrayList<>();

        Simulation(int workers, long serviceMs, int queueLimit, int maxConnections) {
            this.serviceNanos = TimeUnit.MILLISECONDS.toNanos(serviceMs);
            this.queueLimit = queueLimit;
            this.limiter = new AdaptiveConcurrency(true, 4, maxConnections, () -> now);
            for (int i = 0; i < workers; i++) {
                workerFreeAt.add(0L);
            }
        }

        /** Adds a fixed client-side time and a warm-up's to every answer's time as the limiter sees it. */
        Simulation client(double clientMs, long warmUpMs, int warmUpSeconds) {
            clientNanos = (long) (clientMs * 1e6);
            warmUpNanos = TimeUnit.MILLISECONDS.toNanos(warmUpMs);
            warmUpSpanNanos = TimeUnit.SECONDS.toNanos(warmUpSeconds);
            return this;
        }

        /** Runs until {@code seconds} more of simulated time have passed. */
        void runSeconds(int seconds) {
            long until = now + TimeUnit.SECONDS.toNanos(seconds);
            run(Integer.MAX_VALUE - completions, until);
        }

        /** Runs until {@code requests} more answers have come; clients keep going across calls. */
        void run(int requests) {
            run(requests, Long.MAX_VALUE);
        }

        private void run(int requests, long until) {
            target = completions + requests;
            if (!started) {
                started = true;
                for (int i = 0; i < CLIENTS; i++) {
                    next();
                }
            } else {
                resumed.forEach(Runnable::run);
                resumed.clear();
            }
            while (completions < target && !due.isEmpty() && due.peek().at <= until) {
                Due d = due.poll();
                now = d.at;
                atServer--;
                if (d.status == 201) {
                    servedMs.add((d.servedAt - d.sentAt) / 1e6);
                }
                d.emitter.complete(d.status);
            }
            if (until == Long.MAX_VALUE) {
                assertThat(completions).isEqualTo(target);
            } else {
                now = until;
                target = completions;
            }
        }

        /** Changes how long one request takes from now on (requests already started keep theirs). */
        void serviceMs(long ms) {
            serviceNanos = TimeUnit.MILLISECONDS.toNanos(ms);
        }

        void queueLimit(int limit) {
            queueLimit = limit;
        }

        /** The time simulated so far, in seconds. */
        double seconds() {
            return now / 1e9;
        }

        /** 201 answers per simulated second over the last {@code seconds}. */
        double createdPerSecondOverLast(int seconds) {
            long from = now - TimeUnit.SECONDS.toNanos(seconds);
            int created = 0;
            for (int i = answeredAt.size() - 1; i >= 0 && answeredAt.get(i) > from; i--) {
                created += statuses.get(i) == 201 ? 1 : 0;
            }
            return created / (double) seconds;
        }

        /** The limits after each answer of the last {@code seconds}. */
        List<Integer> limitsOverLast(int seconds) {
            long from = now - TimeUnit.SECONDS.toNanos(seconds);
            int first = answeredAt.size();
            while (first > 0 && answeredAt.get(first - 1) > from) {
                first--;
            }
            return limits.subList(first, limits.size());
        }

        /** Mean time at the server, in ms, of the 201 answers of the last {@code seconds}. */
        double meanServedMsOverLast(int seconds) {
            return meanServedMsOfLast(limitsOverLast(seconds).size());
        }

        /** The limits after each of the last {@code count} answers. */
        List<Integer> lastLimits(int count) {
            return limits.subList(limits.size() - count, limits.size());
        }

        /** Mean time at the server, in ms, of the 201 answers among the last {@code count} answered. */
        double meanServedMsOfLast(int count) {
            int served = (int) statuses.subList(statuses.size() - count, statuses.size()).stream()
                    .filter(status -> status == 201).count();
            return servedMs.subList(servedMs.size() - served, servedMs.size()).stream()
                    .mapToDouble(Double::doubleValue).average().orElseThrow();
        }

        List<Integer> limitsInSecondHalf() {
            return limits.subList(limits.size() / 2, limits.size());
        }

        // One client's next request, sent as soon as its previous one is answered.
        private void next() {
            limiter.call(this::serve, status -> status).subscribe().with(status -> {
                completions++;
                limits.add(limiter.limit());
                answeredAt.add(now);
                statuses.add(status);
                if (completions < target) {
                    next();
                } else {
                    resumed.add(this::next);
                }
            });
        }

        private Uni<Integer> serve() {
            return Uni.createFrom().emitter(emitter -> {
                atServer++;
                peakAtServer = Math.max(peakAtServer, atServer);
                long waitingNow = acceptedStarts.stream().filter(start -> start > now).count();
                long start = Math.max(now, workerFreeAt.peek());
                if (start > now && waitingNow >= queueLimit) {
                    answered503++;
                    long at = now + TimeUnit.MILLISECONDS.toNanos(1);
                    due.add(new Due(at + clientNanos(at), at, now, seq++, emitter, 503));
                    return;
                }
                workerFreeAt.poll();
                workerFreeAt.add(start + serviceNanos);
                acceptedStarts.add(start);
                acceptedStarts.removeIf(s -> s <= now);
                long served = start + serviceNanos;
                due.add(new Due(served + clientNanos(served), served, now, seq++, emitter, 201));
            });
        }

        private long clientNanos(long at) {
            return clientNanos + (at < warmUpSpanNanos ? warmUpNanos : 0);
        }

        private record Due(long at, long servedAt, long sentAt, long seq, UniEmitter<? super Integer> emitter,
                int status)
                implements Comparable<Due> {

            @Override
            public int compareTo(Due other) {
                return at != other.at ? Long.compare(at, other.at) : Long.compare(seq, other.seq);
            }
        }
    }
}
