package io.issuetrakbridge.sandbox;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * Applies {@link Faults} to API requests: as a link of the API chain (latency, then IIS's 403, 503, 429, 500, an HTML
 * 5xx or a closed connection instead of going on; picks the answers that trickle), and around a create that succeeded (slow issues, hold,
 * create-then-delay, create-then-drop). The plan read when the request passed the chain is the one its create
 * obeys, so a change mid-request never applies half-way.
 */
final class FaultInjection implements Handler<RoutingContext> {

    private static final String PLAN = "sandbox.faults.plan";

    private final Vertx vertx;
    private final Faults faults;
    private final SandboxStats stats;
    private final Responses responses;

    FaultInjection(Vertx vertx, Faults faults, SandboxStats stats, Responses responses) {
        this.vertx = vertx;
        this.faults = faults;
        this.stats = stats;
        this.responses = responses;
    }

    @Override
    public void handle(RoutingContext ctx) {
        Faults.Plan plan = faults.current();
        long delayMs = plan.latencyMs() > 0 || plan.jitterMs() > 0 ? Faults.delayMs(plan) : 0;
        if (delayMs > 0) {
            // Like a busy server: the request is processed after the delay even if the client gave up.
            vertx.setTimer(delayMs, timer -> afterLatency(ctx));
        } else {
            afterLatency(ctx);
        }
    }

    private void afterLatency(RoutingContext ctx) {
        Faults.Plan plan = faults.current();
        ctx.put(PLAN, plan);
        if (Faults.trickles(plan)) {
            stats.trickled();
            ctx.put(Responses.TRICKLE_MS, plan.trickleMs());
        }
        boolean create = ctx.request().method() == HttpMethod.POST;
        switch (Faults.verdict(plan, () -> create && faults.takeCreateError())) {
            case FORBIDDEN -> responses.html(ctx, 403, ErrorPages.forbidden());
            case UNAVAILABLE -> responses.message(ctx, 503, "The service is unavailable.");
            case THROTTLED -> {
                long retryAfter = Faults.retryAfterSeconds(plan);
                if (retryAfter > 0) {
                    ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
                }
                responses.message(ctx, 429, "Too many requests. Try again later.");
            }
            case ERROR -> responses.message(ctx, 500, "An error has occurred.");
            case HTML_ERROR -> responses.html(ctx, plan.htmlErrorStatus(),
                    ErrorPages.serverError(plan.htmlErrorStatus()));
            case DROP -> {
                stats.dropped();
                ctx.request().connection().close();
            }
            case PROCEED -> ctx.next();
        }
    }

    /** Runs {@code store} for a valid create, after the extra latency of a slow issue if this is one. */
    void beforeStore(long issueNumber, Runnable store) {
        long slow = faults.issueLatencyMs(issueNumber);
        if (slow > 0) {
            vertx.setTimer(slow, timer -> store.run());
        } else {
            store.run();
        }
    }

    /** Answers the create that stored {@code noteId} with {@code answer}: held, late or never if the plan says so. */
    void afterStore(RoutingContext ctx, long noteId, Runnable answer) {
        Faults.Plan plan = ctx.get(PLAN);
        switch (Faults.createOutcome(plan)) {
            case ANSWER -> answer.run();
            case HOLD -> {
                stats.heldCreate();
                // Released from any thread (the admin call, a test): answered on the request's own event loop.
                io.vertx.core.Context context = vertx.getOrCreateContext();
                faults.hold(noteId, () -> context.runOnContext(v -> answer.run()));
                // Ended by the release, or closed by a client that gave up: either way no longer waiting.
                ctx.addEndHandler(done -> faults.forgetHeld(noteId));
            }
            case DELAY -> {
                stats.delayedCreate();
                vertx.setTimer(plan.createThenDelayMs(), timer -> answer.run());
            }
            case DROP -> {
                stats.dropped();
                ctx.request().connection().close();
            }
        }
    }
}
