package io.issuetrakbridge.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * The faults the sandbox injects into API requests, switchable at run time from tests (these methods) or
 * over HTTP ({@code PUT /sandbox/admin/faults}, see docs/SANDBOX.md). The plan is one immutable value swapped
 * atomically, so the event loop reads it without locks and a change never applies half-way.
 *
 * <p>Order per API request (see {@link SandboxRouter}): unknown routes are answered 404 first; then latency (plus
 * jitter), then IIS's HTML 403 while forbidden, then a 503 while an outage window is open, then 429 (window, then
 * rate), then 500 (the counted create errors, then the rate), then an HTML 5xx page (rate), then a dropped connection (rate), then authentication and
 * the operation itself. The forbidden, outage, throttle and error faults come before authentication because in a
 * real deployment they come from the load balancer, IIS or the app pool, not from Issuetrak's handlers. Hold, create-then-delay and create-then-drop apply only to a create that succeeded
 * (the note is stored in every case); trickle applies to any API answer.
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
     * @param htmlErrorRate fraction of API requests answered {@code htmlErrorStatus} with an HTML error page, as IIS
     *        or ASP.NET does when the application fails outside Web API's JSON handling
     * @param htmlErrorStatus the 5xx status of those answers
     * @param trickleRate fraction of API answers whose status line and headers are sent at once but whose body then
     *        trickles in, one byte at a time, the last only after {@code trickleMs}
     * @param trickleMs how long such a body takes in all
     * @param holdCreates whether each successful create is stored and its answer held until
     *        {@link Faults#releaseHeld()} (or {@code POST /sandbox/admin/held/release})
     * @param forbidden whether every API request is answered 403 with IIS's HTML page, as IIS does when its IP and
     *        domain restrictions or its authorization rules refuse the client, before the application sees it
     * @param createErrors how many of the next creates are answered 500, each one using up one: a fault that
     *        happens an exact number of times, whatever the client's timing
     * @param dropRate fraction of API requests whose connection is closed without an answer before they reach the
     *        operation (nothing is stored): an app pool or load balancer failing mid-request
     */
    public record Plan(long latencyMs, long jitterMs, long unavailableUntilNanos, double errorRate, double throttleRate,
            long throttleUntilNanos, long retryAfterSeconds, double createThenDelayRate, long createThenDelayMs,
            double createThenDropRate, double htmlErrorRate, int htmlErrorStatus, double trickleRate, long trickleMs,
            boolean holdCreates, boolean forbidden, long createErrors, double dropRate) {

        /** IIS's and ASP.NET's usual failure. */
        public static final int DEFAULT_HTML_ERROR_STATUS = 500;

        public Plan {
            requireNonNegative(latencyMs, "latencyMs");
            requireNonNegative(jitterMs, "jitterMs");
            requireNonNegative(retryAfterSeconds, "retryAfterSeconds");
            requireNonNegative(createThenDelayMs, "createThenDelayMs");
            requireNonNegative(trickleMs, "trickleMs");
            requireNonNegative(createErrors, "createErrors");
            requireRate(errorRate, "errorRate");
            requireRate(throttleRate, "throttleRate");
            requireRate(createThenDelayRate, "createThenDelayRate");
            requireRate(createThenDropRate, "createThenDropRate");
            requireRate(htmlErrorRate, "htmlErrorRate");
            requireRate(trickleRate, "trickleRate");
            requireRate(dropRate, "dropRate");
            if (htmlErrorStatus < 500 || htmlErrorStatus > 599) {
                throw new IllegalArgumentException("htmlErrorStatus must be a 5xx status, was " + htmlErrorStatus);
            }
        }

        static Plan none() {
            long now = System.nanoTime();
            return new Plan(0, 0, now, 0, 0, now, 0, 0, 0, 0, 0, DEFAULT_HTML_ERROR_STATUS, 0, 0, false, false, 0, 0);
        }

        /** Milliseconds left in the 503 window, 0 when closed. */
        public long unavailableRemainingMs() {
            return remainingMs(unavailableUntilNanos);
        }

        /** Milliseconds left in the all-429 window, 0 when closed. */
        public long throttleRemainingMs() {
            return remainingMs(throttleUntilNanos);
        }

        /** A copy to change some fields of: {@code plan.edit().errorRate(1).build()}. */
        public Editor edit() {
            return new Editor(this);
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

    /** Changes some fields of a {@link Plan}; {@link #build()} validates the result. */
    public static final class Editor {
        private long latencyMs;
        private long jitterMs;
        private long unavailableUntilNanos;
        private double errorRate;
        private double throttleRate;
        private long throttleUntilNanos;
        private long retryAfterSeconds;
        private double createThenDelayRate;
        private long createThenDelayMs;
        private double createThenDropRate;
        private double htmlErrorRate;
        private int htmlErrorStatus;
        private double trickleRate;
        private long trickleMs;
        private boolean holdCreates;
        private boolean forbidden;
        private long createErrors;
        private double dropRate;

        private Editor(Plan p) {
            latencyMs = p.latencyMs;
            jitterMs = p.jitterMs;
            unavailableUntilNanos = p.unavailableUntilNanos;
            errorRate = p.errorRate;
            throttleRate = p.throttleRate;
            throttleUntilNanos = p.throttleUntilNanos;
            retryAfterSeconds = p.retryAfterSeconds;
            createThenDelayRate = p.createThenDelayRate;
            createThenDelayMs = p.createThenDelayMs;
            createThenDropRate = p.createThenDropRate;
            htmlErrorRate = p.htmlErrorRate;
            htmlErrorStatus = p.htmlErrorStatus;
            trickleRate = p.trickleRate;
            trickleMs = p.trickleMs;
            holdCreates = p.holdCreates;
            forbidden = p.forbidden;
            createErrors = p.createErrors;
            dropRate = p.dropRate;
        }

        public Editor latency(long ms, long jitter) {
            latencyMs = ms;
            jitterMs = jitter;
            return this;
        }

        public Editor unavailableFor(Duration window) {
            unavailableUntilNanos = deadline(window);
            return this;
        }

        public Editor errorRate(double rate) {
            errorRate = rate;
            return this;
        }

        public Editor throttleRate(double rate) {
            throttleRate = rate;
            return this;
        }

        public Editor throttleFor(Duration window) {
            throttleUntilNanos = deadline(window);
            return this;
        }

        public Editor retryAfterSeconds(long seconds) {
            retryAfterSeconds = seconds;
            return this;
        }

        public Editor createThenDelay(double rate, long ms) {
            createThenDelayRate = rate;
            createThenDelayMs = ms;
            return this;
        }

        public Editor createThenDropRate(double rate) {
            createThenDropRate = rate;
            return this;
        }

        public Editor htmlErrors(double rate, int status) {
            htmlErrorRate = rate;
            htmlErrorStatus = status;
            return this;
        }

        public Editor trickle(double rate, long ms) {
            trickleRate = rate;
            trickleMs = ms;
            return this;
        }

        public Editor holdCreates(boolean hold) {
            holdCreates = hold;
            return this;
        }

        public Editor forbidden(boolean refuse) {
            forbidden = refuse;
            return this;
        }

        public Editor createErrors(long count) {
            createErrors = count;
            return this;
        }

        public Editor dropRate(double rate) {
            dropRate = rate;
            return this;
        }

        public Plan build() {
            return new Plan(latencyMs, jitterMs, unavailableUntilNanos, errorRate, throttleRate, throttleUntilNanos,
                    retryAfterSeconds, createThenDelayRate, createThenDelayMs, createThenDropRate, htmlErrorRate,
                    htmlErrorStatus, trickleRate, trickleMs, holdCreates, forbidden, createErrors, dropRate);
        }
    }

    /** What to do with one API request before it reaches authentication. */
    enum Verdict {
        PROCEED,
        FORBIDDEN,
        UNAVAILABLE,
        THROTTLED,
        ERROR,
        HTML_ERROR,
        DROP
    }

    /** What to do with the answer to a successful create. */
    enum CreateOutcome {
        ANSWER,
        HOLD,
        DELAY,
        DROP
    }

    private final AtomicReference<Plan> plan = new AtomicReference<>(Plan.none());
    /** Error bodies quote the request's headers, as some servers do: a trap for clients that log bodies. */
    private volatile boolean echoRequests;
    /** Extra latency for creates on particular issues: one slow issue among fast ones. */
    private final ConcurrentMap<Long, Long> slowIssues = new ConcurrentHashMap<>();
    /** Answers of held creates by NoteID, each run on its request's event loop when released. */
    private final ConcurrentSkipListMap<Long, Runnable> held = new ConcurrentSkipListMap<>();

    /** The faults in force now. */
    public Plan current() {
        return plan.get();
    }

    /** Replaces the whole plan. */
    public Faults set(Plan newPlan) {
        plan.set(newPlan);
        return this;
    }

    /** Removes every fault; held creates are answered. */
    public Faults reset() {
        plan.set(Plan.none());
        slowIssues.clear();
        echoRequests = false;
        releaseHeld();
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
        return update(p -> p.edit().latency(latency.toMillis(), jitter.toMillis()).build());
    }

    /** Answers every API request 503 for this long from now; {@link Duration#ZERO} ends an outage. */
    public Faults unavailableFor(Duration window) {
        return update(p -> p.edit().unavailableFor(window).build());
    }

    /** Answers this fraction of API requests 500. */
    public Faults errorRate(double rate) {
        return update(p -> p.edit().errorRate(rate).build());
    }

    /** Answers this fraction of API requests 429. */
    public Faults throttleRate(double rate) {
        return update(p -> p.edit().throttleRate(rate).build());
    }

    /** Answers every API request 429 for this long from now. */
    public Faults throttleFor(Duration window) {
        return update(p -> p.edit().throttleFor(window).build());
    }

    /** The Retry-After (whole seconds) sent with 429s; 0 for none (or the remaining window during throttleFor). */
    public Faults retryAfter(Duration retryAfter) {
        return update(p -> p.edit().retryAfterSeconds(retryAfter.toSeconds()).build());
    }

    /** Creates this fraction of notes, then answers only after {@code delay} (a client timeout makes it ambiguous). */
    public Faults createThenDelay(double rate, Duration delay) {
        return update(p -> p.edit().createThenDelay(rate, delay.toMillis()).build());
    }

    /** Creates this fraction of notes, then closes the connection without answering. */
    public Faults createThenDrop(double rate) {
        return update(p -> p.edit().createThenDropRate(rate).build());
    }

    /** Answers this fraction of API requests with {@code status} (5xx) and an IIS/ASP.NET HTML error page. */
    public Faults htmlErrors(double rate, int status) {
        return update(p -> p.edit().htmlErrors(rate, status).build());
    }

    /**
     * Sends the status and headers of this fraction of API answers at once, then their body one byte at a time,
     * the last after {@code over}: a response that "arrives" but never finishes within a client's timeout.
     */
    public Faults trickle(double rate, Duration over) {
        return update(p -> p.edit().trickle(rate, over.toMillis()).build());
    }

    /**
     * While on, each successful create stores its note and holds its answer until {@link #releaseHeld()}: the
     * client waits with the note already in Issuetrak. Turning it off releases nothing by itself.
     */
    public Faults holdCreates(boolean hold) {
        return update(p -> p.edit().holdCreates(hold).build());
    }

    /**
     * While on, every API request is answered 403 with IIS's HTML page ("403 - Forbidden: Access is denied."), before
     * the signature check: what a client meets when IIS's IP restrictions or authorization rules refuse it.
     */
    public Faults forbidden(boolean refuse) {
        return update(p -> p.edit().forbidden(refuse).build());
    }

    /** Answers the next {@code count} creates 500 {@code {"Message":"An error has occurred."}}, then creates again. */
    public Faults createErrors(long count) {
        return update(p -> p.edit().createErrors(count).build());
    }

    /** Closes the connection of this fraction of API requests without an answer, before anything is stored. */
    public Faults dropRate(double rate) {
        return update(p -> p.edit().dropRate(rate).build());
    }

    /**
     * Whether this create is one of the counted create errors: uses one up. Atomic on the plan, so two creates
     * arriving at once never both take the last one.
     */
    boolean takeCreateError() {
        Plan before = plan.getAndUpdate(p -> p.createErrors > 0 ? p.edit().createErrors(p.createErrors - 1).build() : p);
        return before.createErrors > 0;
    }

    /** NoteIDs of creates stored whose answer is held now, lowest first (a closed connection leaves the list). */
    public List<Long> held() {
        return List.copyOf(held.keySet());
    }

    /** Answers every held create (to clients still listening); returns how many were held. */
    public int releaseHeld() {
        int released = 0;
        for (Map.Entry<Long, Runnable> next = held.pollFirstEntry(); next != null; next = held.pollFirstEntry()) {
            next.getValue().run();
            released++;
        }
        return released;
    }

    void hold(long noteId, Runnable answer) {
        held.put(noteId, answer);
    }

    void forgetHeld(long noteId) {
        held.remove(noteId);
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

    /** @param createError whether this request is a create that takes one of the counted create errors */
    static Verdict verdict(Plan p, BooleanSupplier createError) {
        if (p.forbidden) {
            return Verdict.FORBIDDEN;
        }
        if (p.unavailableRemainingMs() > 0) {
            return Verdict.UNAVAILABLE;
        }
        if (p.throttleRemainingMs() > 0 || hit(p.throttleRate)) {
            return Verdict.THROTTLED;
        }
        if (createError.getAsBoolean() || hit(p.errorRate)) {
            return Verdict.ERROR;
        }
        if (hit(p.htmlErrorRate)) {
            return Verdict.HTML_ERROR;
        }
        if (hit(p.dropRate)) {
            return Verdict.DROP;
        }
        return Verdict.PROCEED;
    }

    static CreateOutcome createOutcome(Plan p) {
        if (p.holdCreates) {
            return CreateOutcome.HOLD;
        }
        if (hit(p.createThenDropRate)) {
            return CreateOutcome.DROP;
        }
        if (p.createThenDelayMs > 0 && hit(p.createThenDelayRate)) {
            return CreateOutcome.DELAY;
        }
        return CreateOutcome.ANSWER;
    }

    /** Whether this answer trickles. */
    static boolean trickles(Plan p) {
        return p.trickleMs > 0 && hit(p.trickleRate);
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
