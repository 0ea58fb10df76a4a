package io.issuetrakbridge.sandbox;

import java.util.Optional;

import io.issuetrakbridge.config.ApiKey;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;

/** The API chain's signature check: 401 with the reason (never the key) unless {@link RequestAuthenticator} accepts. */
final class Authentication implements Handler<RoutingContext> {

    private final RequestAuthenticator authenticator;
    private final Responses responses;

    Authentication(RequestAuthenticator authenticator, Responses responses) {
        this.authenticator = authenticator;
        this.responses = responses;
    }

    @Override
    public void handle(RoutingContext ctx) {
        MultiMap headers = ctx.request().headers();
        Optional<String> refusal = authenticator.verify(ctx.request().method().name(), ctx.request().path(),
                ctx.request().query(),
                new RequestAuthenticator.Credentials(headers.get(RequestAuthenticator.TIMESTAMP_HEADER),
                        headers.get(RequestAuthenticator.REQUEST_ID_HEADER),
                        headers.get(RequestAuthenticator.AUTHORIZATION_HEADER)),
                SandboxRouter.body(ctx));
        if (refusal.isPresent()) {
            responses.message(ctx, 401, "Authorization has been denied for this request: " + refusal.get() + ".");
            return;
        }
        ctx.next();
    }

    void apiKey(ApiKey key) {
        authenticator.apiKey(key);
    }

    int rememberedRequestIds() {
        return authenticator.rememberedRequestIds();
    }
}
