package io.issuetrakbridge.sandbox;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The faults the sandbox injects into API requests, switchable at run time from tests (these methods) or
 * over HTTP ({@code PUT /sandbox/admin/faults}). The plan is one immutable value swapped atomically, so
 * the event loop reads it without locks and a change never applies half-way.
 *
 * <p>Order per API request: latency (plus jitter), then a 503 while an outage window is open, then 429
 * (window, then rate), then 500 (rate), then authentication and the operation itself. The outage, throttle
 * and error faults come before authentication because in a real deployment they come from the load
 * balancer or the app pool, not from Issuetrak's handlers. Create-then-delay and create-then-drop apply
 * only to a create that succeeded.
 */
public final class Faults {

    /**
     * One consistent set of faults. Windows are {@link System#nanoTime()} deadlines.
     *
     * @param latencyMs delay before every API answer
     * @param jitterMs extra random delay, uniformly 0..jitterMs
     * @param unavailableUntilNanos 503 for every API request until this deadline
     * @param errorRate fraction of API requests answered 500
     * @param throttleRate fraction of API requests answered 429
     * @param throttleUntilNanos 429 for every API request until this deadline
     * @param retryAfterSeconds Retry-After on 429s; 0 sends none for the rate, the remaining window for the window
     * @param createThenDelayRate fraction of successful creates answered only after {@code createThenDelayMs}
     * @param createThenDelayMs the extra delay for those creates
     * @param createThenDropRate fraction of successful creates whose connection is closed without an answer
     */
    public record Plan(long latencyMs, long jitterMs, long unavailableUntilNanos, double errorRate, double throttleRate,
            long throttleUntilNanos, long retryAfterSeconds, double createThenDelayRate, long createThenDelayMs,
            double createThenDropRate) {

        public Plan {
            requireNonNegative(latencyMs, "latencyMs");
            requireNonNegative(jitterMs, "jitterMs");
            requireNonNegative(retryAfterSeconds, "retryAfterSeconds");
            requireNonNegative(createThenDelayMs, "createThenDelayMs");
            requireRate(errorRate, "errorRate");
            requireRate(throttleRate, "throttleRate");
            requireRate(createThenDelayRate, "createThenDelayRate");
            requireRate(createThenDropRate, "createThenDropRate");
        }

        static Plan none() {
            long now = System.nanoTime();
            return new Plan(0, 0, now, 0, 0, now, 0, 0, 0, 0);
        }

        /** Milliseconds left in the 503 window, 0 when closed. */
        public long unavailableRemainingMs() {
            return remainingMs(unavailableUntilNanos);
        }

        /** Milliseconds left in the all-429 window, 0 when closed. */
        public long throttleRemainingMs() {
            return remainingMs(throttleUntilNanos);
        }

        /** Whether any fault is active, so the hot path can skip the dice. */
        boolean any() {
            return latencyMs > 0 || jitterMs > 0 || errorRate > 0 || throttleRate > 0 || createThenDelayRate > 0
                    || createThenDropRate > 0 || unavailableRemainingMs() > 0 || throttleRemainingMs() > 0;
        }

        private static long remainingMs(long deadline) {
            long left = deadline - System.nanoTime();
            return left <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
        }

        private static void requireNonNegative(long value, String name) {
            if (value < 0) {
                throw new IllegalArgumentException(name + " must be >= 0, was " + value);
            }
        }

        private static void requireRate(double value, String name) {
            if (!(value >= 0 && value <= 1)) {
                throw new IllegalArgumentException(name + " must be a fraction between 0 and 1, was " + value);
            }
        }
    }

    /** What to do with one API request before it reaches authentication. */
    enum Verdict {
        PROCEED,
        UNAVAILABLE,
        THROTTLED,
        ERROR
    }

    /** What to do with the answer to a successful create. */
    enum CreateOutcome {
        ANSWER,
        DELAY,
        DROP
    }

    private final AtomicReference<Plan> plan = new AtomicReference<>(Plan.none());
    /** Error bodies quote the request's headers, as some servers do: a trap for clients that log bodies. */
    private volatile boolean echoRequests;
    /** Extra latency for creates on particular issues: one slow issue among fast ones. */
    private final java.util.concurrent.ConcurrentMap<Long, Long> slowIssues = new java.util.concurrent.ConcurrentHashMap<>();

    /** The faults in force now. */
    public Plan current() {
        return plan.get();
    }

    /** Replaces the whole plan. */
    public Faults set(Plan newPlan) {
        plan.set(newPlan);
        return this;
    }

    /** Removes every fault. */
    public Faults reset() {
        plan.set(Plan.none());
        slowIssues.clear();
        echoRequests = false;
        return this;
    }

    /** Makes every error answer quote the request's headers, signature included. */
    public Faults echoRequests(boolean echo) {
        echoRequests = echo;
        return this;
    }

    boolean echoRequests() {
        return echoRequests;
    }

    /** Creates on {@code issueNumber} are answered only after {@code latency} (on top of the plan's latency). */
    public Faults slowIssue(long issueNumber, Duration latency) {
        slowIssues.put(issueNumber, latency.toMillis());
        return this;
    }

    /** The extra create latency for an issue, 0 for most. */
    long issueLatencyMs(long issueNumber) {
        return slowIssues.isEmpty() ? 0 : slowIssues.getOrDefault(issueNumber, 0L);
    }

    /** Delays every API answer by {@code latency} plus a uniform random 0..{@code jitter}. */
    public Faults latency(Duration latency, Duration jitter) {
        return update(p -> new Plan(latency.toMillis(), jitter.toMillis(), p.unavailableUntilNanos, p.errorRate,
                p.throttleRate, p.throttleUntilNanos, p.retryAfterSeconds, p.createThenDelayRate, p.createThenDelayMs,
                p.createThenDropRate));
    }

    /** Answers every API request 503 for this long from now; {@link Duration#ZERO} ends an outage. */
    public Faults unavailableFor(Duration window) {
        long until = deadline(window);
        return update(p -> new Plan(p.latencyMs, p.jitterMs, until, p.errorRate, p.throttleRate, p.throttleUntilNanos,
                p.retryAfterSeconds, p.createThenDelayRate, p.createThenDelayMs, p.createThenDropRate));
    }

    /** Answers this fraction of API requests 500. */
    public Faults errorRate(double rate) {
        return update(p -> new Plan(p.latencyMs, p.jitterMs, p.unavailableUntilNanos, rate, p.throttleRate,
                p.throttleUntilNanos, p.retryAfterSeconds, p.createThenDelayRate, p.createThenDelayMs,
                p.createThenDropRate));
    }

    /** Answers this fraction of API requests 429. */
    public Faults throttleRate(double rate) {
        return update(p -> new Plan(p.latencyMs, p.jitterMs, p.unavailableUntilNanos, p.errorRate, rate,
                p.throttleUntilNanos, p.retryAfterSeconds, p.createThenDelayRate, p.createThenDelayMs,
                p.createThenDropRate));
    }

    /** Answers every API request 429 for this long from now. */
    public Faults throttleFor(Duration window) {
        long until = deadline(window);
        return update(p -> new Plan(p.latencyMs, p.jitterMs, p.unavailableUntilNanos, p.errorRate, p.throttleRate,
                until, p.retryAfterSeconds, p.createThenDelayRate, p.createThenDelayMs, p.createThenDropRate));
    }

    /** The Retry-After (whole seconds) sent with 429s; 0 for none (or the remaining window during throttleFor). */
    public Faults retryAfter(Duration retryAfter) {
        long seconds = retryAfter.toSeconds();
        return update(p -> new Plan(p.latencyMs, p.jitterMs, p.unavailableUntilNanos, p.errorRate, p.throttleRate,
                p.throttleUntilNanos, seconds, p.createThenDelayRate, p.createThenDelayMs, p.createThenDropRate));
    }

    /** Creates this fraction of notes, then answers only after {@code delay} (a client timeout makes it ambiguous). */
    public Faults createThenDelay(double rate, Duration delay) {
        return update(p -> new Plan(p.latencyMs, p.jitterMs, p.unavailableUntilNanos, p.errorRate, p.throttleRate,
                p.throttleUntilNanos, p.retryAfterSeconds, rate, delay.toMillis(), p.createThenDropRate));
    }

    /** Creates this fraction of notes, then closes the connection without answering. */
    public Faults createThenDrop(double rate) {
        return update(p -> new Plan(p.latencyMs, p.jitterMs, p.unavailableUntilNanos, p.errorRate, p.throttleRate,
                p.throttleUntilNanos, p.retryAfterSeconds, p.createThenDelayRate, p.createThenDelayMs, rate));
    }

    /** Applies a change atomically against the current plan. */
    public Faults update(UnaryOperator<Plan> change) {
        plan.updateAndGet(change);
        return this;
    }

    static long deadline(Duration window) {
        return System.nanoTime() + Math.max(0, window.toNanos());
    }

    static long delayMs(Plan p) {
        if (p.jitterMs == 0) {
            return p.latencyMs;
        }
        return p.latencyMs + ThreadLocalRandom.current().nextLong(p.jitterMs + 1);
    }

    static Verdict verdict(Plan p) {
        if (p.unavailableRemainingMs() > 0) {
            return Verdict.UNAVAILABLE;
        }
        if (p.throttleRemainingMs() > 0 || hit(p.throttleRate)) {
            return Verdict.THROTTLED;
        }
        if (hit(p.errorRate)) {
            return Verdict.ERROR;
        }
        return Verdict.PROCEED;
    }

    static CreateOutcome createOutcome(Plan p) {
        if (hit(p.createThenDropRate)) {
            return CreateOutcome.DROP;
        }
        if (p.createThenDelayMs > 0 && hit(p.createThenDelayRate)) {
            return CreateOutcome.DELAY;
        }
        return CreateOutcome.ANSWER;
    }

    /** Retry-After seconds for a 429, or 0 for none. */
    static long retryAfterSeconds(Plan p) {
        if (p.retryAfterSeconds > 0) {
            return p.retryAfterSeconds;
        }
        long windowMs = p.throttleRemainingMs();
        return windowMs == 0 ? 0 : (windowMs + 999) / 1000;
    }

    private static boolean hit(double rate) {
        return rate > 0 && (rate >= 1 || ThreadLocalRandom.current().nextDouble() < rate);
    }
}
