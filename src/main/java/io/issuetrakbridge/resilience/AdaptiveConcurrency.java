package io.issuetrakbridge.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.MetricRegistry;
import com.netflix.concurrency.limits.limit.VegasLimit;
import com.netflix.concurrency.limits.limit.WindowedLimit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;

import io.issuetrakbridge.config.IssuetrakConfig;
import io.issuetrakbridge.issuetrak.FailureCategory;
import io.issuetrakbridge.issuetrak.IssuetrakException;
import io.issuetrakbridge.scheduling.GateQueue;
import io.issuetrakbridge.scheduling.Priority;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * How many requests Issuetrak gets at once: Netflix's Vegas limit finds the concurrency Issuetrak serves
 * before its latency rises (it compares each 100 ms window's average time with the no-load latency, the lowest
 * seen; requests queueing at the server show as the difference) and stays a queue of 1/8..1/4 of the limit above it,
 * never above {@code issuetrak.max-connections}. Every ~10 s the no-load latency is measured again at half the limit
 * ({@link ProbeRttLimit}), so one taken while the bridge warmed up, or one of a server that has since become slower
 * or faster, lasts seconds. A 429, a 503 or a request that timed out counts as congestion (the limit
 * shrinks by 10%) without its time being taken as a latency; other failures teach it nothing.
 *
 * <p>Callers beyond the limit wait as a {@link Uni} in a queue no longer than the requests the bridge has in
 * flight ({@code bridge.max-in-flight}); no thread blocks. A finished request hands its slot to the oldest
 * high-priority waiter, else the oldest ({@link GateQueue}): the priority lane holds here too. Switched off
 * ({@code issuetrak.concurrency.adaptive=false}), requests pass straight to the connection pool, whose size is the
 * cap.
 */
public final class AdaptiveConcurrency {

    /**
     * How often, on average, the no-load latency is measured again at half the limit ({@link ProbeRttLimit}): often
     * enough that a no-load latency taken while the bridge warmed up, or one of a server that has since become slower
     * or faster for good, lasts seconds, not minutes; rare enough that the phases (about three 100 ms windows at half
     * the limit) cost about 1% of the throughput.
     */
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(10);

    /**
     * Vegas's own probe (every {@code probeMultiplier x limit} windows it takes the current window's average, queue
     * included, as the no-load latency) is off: it ratchets the limit up under a steady queue, and ProbeRttLimit
     * re-measures instead, each time with a fresh Vegas limit, so the count would never be reached anyway.
     */
    private static final int NO_VEGAS_PROBE = Integer.MAX_VALUE;

    /** The shortest window of samples judged together, and the fewest samples in one. */
    private static final Duration WINDOW = Duration.ofMillis(100);
    private static final int WINDOW_SAMPLES = 10;

    private final int maxConcurrency;
    private final SimpleLimiter<Void> limiter;
    private final ProbeRttLimit probeRtt;
    // Held only to pair waiters with slots; never while a request runs or a waiter is resumed.
    private final Object lock = new Object();
    private final GateQueue<Waiter> waiting = new GateQueue<>();

    /**
     * Adaptive only when {@code issuetrak.concurrency.adaptive} is on and no request budget is configured: a budget
     * already paces requests, and its waits would read to the limit as latency rising.
     */
    public AdaptiveConcurrency(IssuetrakConfig config) {
        this(config.concurrency().adaptive() && config.budget().rules().map(List::isEmpty).orElse(true),
                config.concurrency().initialLimit(), config.maxConnections(), System::nanoTime);
    }

    /**
     * @param adaptive whether to limit at all
     * @param initialLimit where the search starts
     * @param maxConcurrency the hard cap
     * @param nanoClock measures each request's time (a simulated clock in tests)
     */
    public AdaptiveConcurrency(boolean adaptive, int initialLimit, int maxConcurrency, LongSupplier nanoClock) {
        this.maxConcurrency = maxConcurrency;
        this.probeRtt = adaptive ? new ProbeRttLimit((start, metrics) -> vegas(start, maxConcurrency, metrics),
                AdaptiveConcurrency::windowed, Math.min(initialLimit, maxConcurrency), WINDOW, PROBE_INTERVAL,
                new Random()) : null;
        this.limiter = adaptive ? SimpleLimiter.newBuilder()
                .named("issuetrak")
                .nanoClock(nanoClock)
                .limit(probeRtt)
                .build() : null;
    }

    // Vegas judges each window's average: one request's time says little about the queue, and reacting to each one
    // swings the limit far past the knee and back.
    private static Limit windowed(Limit vegas) {
        return WindowedLimit.newBuilder()
                .minWindowTime(WINDOW.toMillis(), TimeUnit.MILLISECONDS)
                .maxWindowTime(10 * WINDOW.toMillis(), TimeUnit.MILLISECONDS)
                .windowSize(WINDOW_SAMPLES)
                // A 503 answered in 1 ms must not become the no-load latency (see AnsweredRttWindow).
                .sampleWindowFactory(() -> AnsweredRttWindow.EMPTY)
                .build(vegas);
    }

    // A Vegas limit starting at start, with no no-load latency yet: its first window's average becomes that.
    private static Limit vegas(int start, int maxConcurrency, MetricRegistry metrics) {
        return VegasLimit.newBuilder()
                .metricRegistry(metrics)
                .initialLimit(start)
                .maxConcurrency(maxConcurrency)
                // Past a knee of k workers the queue estimate is limit - k, and Vegas holds it between alpha and
                // beta, so limit <= k / (1 - 1/4): requests take at most ~1.33x their unloaded time. The library's
                // 3..6 x log10(limit) held 14..18 against k = 8 (1.7..2.4x); AdaptiveConcurrencyTest's simulation
                // asserts 9..12 for k = 8 (a run gave 11: 25.4 ms at the server against 20), 10..15 for k = 10 and
                // 30..45 for k = 30.
                .alpha(limit -> Math.max(2, limit / 8))
                .beta(limit -> Math.max(3, limit / 4))
                // No "+beta when there is no queue": against a server that refuses instead of queueing, no queue
                // ever shows, and +3 a window after each cut kept the simulated limit at 12..13 of 10 workers. +1 a
                // window (Vegas's increase) and -10% on a queue or a drop keep it at 9..11.
                .threshold(limit -> -1)
                .decrease(limit -> limit * 0.9)
                .probeMultiplier(NO_VEGAS_PROBE)
                .build();
    }

    /**
     * The no-load latency the adaptive limit compares Issuetrak's latency with now, in seconds (0 before the first
     * window of answers, or when not adaptive).
     */
    public double noLoadLatencySeconds() {
        return probeRtt == null ? 0 : probeRtt.noLoadNanos() / 1e9;
    }

    /** The current limit: concurrent requests allowed now ({@code max-connections} when not adaptive). */
    public int limit() {
        return limiter == null ? maxConcurrency : limiter.getLimit();
    }

    /** Requests holding a slot now (0 when not adaptive: the connection pool counts those). */
    public int inFlight() {
        return limiter == null ? 0 : limiter.getInflight();
    }

    /** Requests waiting for a slot now. */
    public int waiting() {
        synchronized (lock) {
            return waiting.size();
        }
    }

    /**
     * Runs {@code request} once a slot is free and gives the slot back when it ends.
     *
     * @param status the HTTP status of an answer (429 and 503 count as congestion)
     */
    public <T> Uni<T> call(Supplier<Uni<T>> request, ToIntFunction<T> status) {
        return call(Priority.NORMAL, request, status);
    }

    /**
     * As {@link #call(Supplier, ToIntFunction)}, for a request of {@code priority}: a high one gets a freed slot
     * before the normal ones waiting.
     */
    public <T> Uni<T> call(Priority priority, Supplier<Uni<T>> request, ToIntFunction<T> status) {
        if (limiter == null) {
            return Uni.createFrom().deferred(request::get);
        }
        return slot(priority).onItem().transformToUni(slot -> request.get()
                .onItem().invoke(answer -> slot.answered(status.applyAsInt(answer)))
                .onFailure().invoke(slot::failed)
                .onCancellation().invoke(slot::ignored));
    }

    private Uni<Slot> slot(Priority priority) {
        return Uni.createFrom().emitter(emitter -> {
            Optional<Limiter.Listener> free;
            Waiter waiter = new Waiter(emitter);
            synchronized (lock) {
                // Only when nobody waits: a newcomer, whatever its priority, waits for the next freed slot, which
                // goes to whoever's turn it is then.
                free = waiting.isEmpty() ? limiter.acquire(null) : Optional.empty();
                if (free.isEmpty()) {
                    waiting.add(waiter, priority);
                }
            }
            if (free.isPresent()) {
                emitter.complete(new Slot(free.get()));
            } else {
                emitter.onTermination(() -> {
                    // Cancelled while waiting (a completed waiter has left the queue already).
                    if (waiter.settled.compareAndSet(false, true)) {
                        synchronized (lock) {
                            waiting.remove(waiter);
                        }
                    }
                });
            }
        });
    }

    // After every release: as many waiters as the (possibly new) limit allows get a slot, high priority first.
    private void handOver() {
        List<Waiter> resumed = new ArrayList<>();
        List<Limiter.Listener> slots = new ArrayList<>();
        synchronized (lock) {
            while (!waiting.isEmpty()) {
                Optional<Limiter.Listener> free = limiter.acquire(null);
                if (free.isEmpty()) {
                    break;
                }
                resumed.add(waiting.poll());
                slots.add(free.get());
            }
        }
        for (int i = 0; i < resumed.size(); i++) {
            Slot slot = new Slot(slots.get(i));
            Waiter waiter = resumed.get(i);
            if (waiter.settled.compareAndSet(false, true)) {
                waiter.emitter.complete(slot);
            } else {
                slot.ignored();
            }
        }
    }

    /** A caller waiting for a slot; {@code settled} once it got one or gave up, whichever came first. */
    private record Waiter(UniEmitter<? super Slot> emitter, AtomicBoolean settled) {

        Waiter(UniEmitter<? super Slot> emitter) {
            this(emitter, new AtomicBoolean());
        }
    }

    /** One acquired slot, released exactly once whichever way its request ends. */
    private final class Slot {

        private final Limiter.Listener listener;
        private final AtomicBoolean released = new AtomicBoolean();

        Slot(Limiter.Listener listener) {
            this.listener = listener;
        }

        void answered(int status) {
            if (status == 429 || status == 503) {
                release(listener::onDropped);
            } else {
                release(listener::onSuccess);
            }
        }

        void failed(Throwable failure) {
            // A timeout is the server failing to keep up; a refused connection or a bad answer says nothing.
            if (failure instanceof IssuetrakException e && e.category() == FailureCategory.AMBIGUOUS) {
                release(listener::onDropped);
            } else {
                release(listener::onIgnore);
            }
        }

        void ignored() {
            release(listener::onIgnore);
        }

        private void release(Runnable outcome) {
            if (released.compareAndSet(false, true)) {
                outcome.run();
                handOver();
            }
        }
    }
}
