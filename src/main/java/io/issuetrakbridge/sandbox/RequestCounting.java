package io.issuetrakbridge.sandbox;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/** First link of the API chain: counts every API request in {@link SandboxStats}, in flight and by status. */
final class RequestCounting implements Handler<RoutingContext> {

    private final SandboxStats stats;

    RequestCounting(SandboxStats stats) {
        this.stats = stats;
    }

    @Override
    public void handle(RoutingContext ctx) {
        stats.entered();
        // Once, whether the answer ended or the connection closed first.
        ctx.addEndHandler(done -> stats.left());
        // Counted as the status line is written, before the answer leaves: a client may act on it (read /stats)
        // on another event loop at once.
        ctx.addHeadersEndHandler(v -> stats.answered(ctx.response().getStatusCode()));
        ctx.next();
    }
}
