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

        // The knee is 10 concurrent requests; Vegas keeps a small queue (3..6 x log10(limit)) above it.
        assertThat(sim.limitsInSecondHalf()).allSatisfy(limit -> assertThat(limit).isBetween(10, 20));
        assertThat(sim.answered503).isZero();
    }

    @Test
    void findsADifferentKneeFromTheSameStart() {
        Simulation sim = new Simulation(30, 20, 1_000, 64);

        sim.run(12_000);

        assertThat(sim.limitsInSecondHalf()).allSatisfy(limit -> assertThat(limit).isBetween(30, 48));
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

        // Every request above 10 at once is refused, so the limit has to come down to the workers or below.
        assertThat(sim.limiter.limit()).isBetween(5, 10);
        assertThat(sim.statuses.subList(5_000, 6_000)).containsOnly(201);
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

        private final int workers;
        private final long serviceNanos;
        private final int queueLimit;
        private final AdaptiveConcurrency limiter;
        private long now;
        private long seq;
        private final PriorityQueue<Long> workerFreeAt = new PriorityQueue<>();
        private final List<Long> acceptedStarts = new ArrayList<>();
        private final PriorityQueue<Due> due = new PriorityQueue<>();
        private final List<Integer> limits = new ArrayList<>();
        private int completions;
        private int target;
        private int atServer;
        int peakAtServer;
        int answered503;
        final List<Integer> statuses = new ArrayList<>();

        Simulation(int workers, long serviceMs, int queueLimit, int maxConnections) {
            this.workers = workers;
            this.serviceNanos = TimeUnit.MILLISECONDS.toNanos(serviceMs);
            this.queueLimit = queueLimit;
            this.limiter = new AdaptiveConcurrency(true, 4, maxConnections, () -> now);
            for (int i = 0; i < workers; i++) {
                workerFreeAt.add(0L);
            }
        }

        void run(int requests) {
            target = requests;
            for (int i = 0; i < CLIENTS; i++) {
                next();
            }
            while (completions < target && !due.isEmpty()) {
                Due d = due.poll();
                now = d.at;
                atServer--;
                d.emitter.complete(d.status);
            }
            assertThat(completions).isEqualTo(target);

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
                    due.add(new Due(now + TimeUnit.MILLISECONDS.toNanos(1), seq++, emitter, 503));
                    return;
                }
                workerFreeAt.poll();
                workerFreeAt.add(start + serviceNanos);
                acceptedStarts.add(start);
                acceptedStarts.removeIf(s -> s <= now);
                due.add(new Due(start + serviceNanos, seq++, emitter, 201));
            });
        }

        private record Due(long at, long seq, UniEmitter<? super Integer> emitter, int status)
                implements Comparable<Due> {

            @Override
            public int compareTo(Due other) {
                return at != other.at ? Long.compare(at, other.at) : Long.compare(seq, other.seq);
            }
        }
    }
}
