package io.issuetrakbridge.resilience;

import static org.assertj.core.api.Assertions.assertThat;

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
        assertThat(sim.limitsInSecondHalf()).allSatisfy(limit -> assertThat(limit).isBetween(10, 15));
        assertThat(sim.meanServedMsOfLast(3_000)).isLessThanOrEqualTo(30.0);
        assertThat(sim.answered503).isZero();
    }

    @Test
    void findsADifferentKneeFromTheSameStart() {
        Simulation sim = new Simulation(30, 20, 1_000, 64);

        sim.run(12_000);

        // 30 + 30/8..30/4: 34..40 at most 1.5 x the 20 ms of an unloaded server.
        assertThat(sim.limitsInSecondHalf()).allSatisfy(limit -> assertThat(limit).isBetween(30, 45));
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
        assertThat(sim.limitsInSecondHalf()).allSatisfy(limit -> assertThat(limit).isBetween(9, 11));
    }

    @Test
    void comesBackToTheKneeAfterA503Storm() {
        Simulation sim = new Simulation(10, 20, 0, 64);
        sim.run(3_000);

        // The server gets a queue again: past 10 at once requests wait instead of being refused.
        sim.queueLimit(1_000);
        sim.run(6_000);

        assertThat(sim.lastLimits(3_000)).allSatisfy(limit -> assertThat(limit).isBetween(10, 15));
        assertThat(sim.meanServedMsOfLast(3_000)).isLessThanOrEqualTo(30.0);
    }

    @Test
    void aServerThatBecameSlowerForGoodMakesTheLimitShrink() {
        Simulation sim = new Simulation(10, 20, 1_000, 64);
        sim.run(3_000);

        // Each request now takes 40 ms with the same 10 workers: the knee is still 10.
        sim.serviceMs(40);
        sim.run(6_000);

        // Every answer now takes twice the no-load time learned at 20 ms, which reads as a queue of limit/2: the limit
        // shrinks by 10% a window until ceil(limit/2) is within beta (3), i.e. to 5. It never rises past the knee;
        // only a Vegas probe (about every 2,500..5,000 windows at this limit) re-learns the no-load time as 40 ms.
        assertThat(sim.lastLimits(3_000)).allSatisfy(limit -> assertThat(limit).isBetween(4, 6));
        assertThat(sim.meanServedMsOfLast(3_000)).isLessThanOrEqualTo(60.0);
    }

    @Test
    void notAdaptiveLetsEveryRequestThrough() {
        AdaptiveConcurrency off = new AdaptiveConcurrency(false, 4, 256, () -> 0L);

        assertThat(off.limit()).isEqualTo(256);
        assertThat(off.call(() -> Uni.createFrom().item(201), status -> status).await().indefinitely())
                .isEqualTo(201);
        assertThat(off.waiting()).isZero();
    }

    /** Discrete-event simulation: a clock, the server's worker free times, and answers due at given times. */
    private static final class Simulation {

        private long serviceNanos;
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

        // Runs until {@code requests} more answers have come; clients keep going across calls.
        void run(int requests) {
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
            while (completions < target && !due.isEmpty()) {
                Due d = due.poll();
                now = d.at;
                atServer--;
                if (d.status == 201) {
                    servedMs.add((d.at - d.sentAt) / 1e6);
                }
                d.emitter.complete(d.status);
            }
            assertThat(completions).isEqualTo(target);
        }

        /** Changes how long one request takes from now on (requests already started keep theirs). */
        void serviceMs(long ms) {
            serviceNanos = TimeUnit.MILLISECONDS.toNanos(ms);
        }

        void queueLimit(int limit) {
            queueLimit = limit;
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
                    due.add(new Due(now + TimeUnit.MILLISECONDS.toNanos(1), now, seq++, emitter, 503));
                    return;
                }
                workerFreeAt.poll();
                workerFreeAt.add(start + serviceNanos);
                acceptedStarts.add(start);
                acceptedStarts.removeIf(s -> s <= now);
                due.add(new Due(start + serviceNanos, now, seq++, emitter, 201));
            });
        }

        private record Due(long at, long sentAt, long seq, UniEmitter<? super Integer> emitter, int status)
                implements Comparable<Due> {

            @Override
            public int compareTo(Due other) {
                return at != other.at ? Long.compare(at, other.at) : Long.compare(seq, other.seq);
            }
        }
    }
}
