package io.issuetrakbridge.replay;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import io.issuetrakbridge.config.ReplayConfig;
import io.issuetrakbridge.config.ReplayToken;
import io.quarkus.logging.Log;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The replay API on the management interface ({@code quarkus.management.port}), registered only when
 * {@code bridge.replay.token} is set, every route behind {@code Authorization: Bearer <token>}.
 * <ul>
 * <li>{@code POST /replay/dlq}: start a run ({@link ReplayRequest}); a dry run answers 200 with what
 * would be replayed, a real run 202 at once (follow it with the status); 409 while a run is going.</li>
 * <li>{@code GET /replay/dlq/status}: the running run, else the last one.</li>
 * <li>{@code DELETE /replay/dlq}: stop the running run after the record in hand (resumable).</li>
 * </ul>
 */
@ApplicationScoped
public class ReplayRoutes {

    public static final String PATH = "/replay/dlq";
    public static final String STATUS_PATH = PATH + "/status";
    private static final long MAX_BODY_BYTES = 64 * 1024;

    private final ReplayConfig config;
    private final DeadLetterReplayer replayer;
    private final ObjectMapper mapper;
    private final ObjectReader requests;

    public ReplayRoutes(ReplayConfig config, DeadLetterReplayer replayer, ObjectMapper mapper) {
        this.config = config;
        this.replayer = replayer;
        this.mapper = mapper;
        // A misspelt filter must not silently widen a replay to everything.
        this.requests = mapper.readerFor(ReplayRequest.class).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    void init(@Observes ManagementInterface management) {
        if (config.token().isEmpty()) {
            Log.info("Replay API off: set bridge.replay.token (BRIDGE_REPLAY_TOKEN) to enable it");
            return;
        }
        ReplayToken token = config.token().get();
        if (!token.strongEnough()) {
            throw new IllegalStateException("bridge.replay.token must be at least " + ReplayToken.MIN_LENGTH
                    + " characters, e.g. the output of: openssl rand -base64 32");
        }
        if (config.maxReplays() < 1) {
            throw new IllegalStateException("bridge.replay.max-replays must be 1 or more");
        }
        if (!(config.defaultRate() > 0 && config.defaultRate() <= ReplayRequest.MAX_RATE)) {
            throw new IllegalStateException("bridge.replay.default-rate must be above 0 and at most "
                    + (long) ReplayRequest.MAX_RATE + " records per second");
        }
        Router router = management.router();
        router.route(PATH + "*").order(-10).handler(rc -> authenticate(rc, token));
        router.post(PATH).handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES)).handler(this::replay);
        router.get(STATUS_PATH).handler(this::status);
        router.delete(PATH).handler(this::cancel);
        Log.infof("Replay API on the management interface: POST %s, GET %s, DELETE %s", PATH, STATUS_PATH, PATH);
    }

    private void authenticate(RoutingContext rc, ReplayToken token) {
        String authorization = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
        String presented = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim()
                : null;
        if (token.matches(presented)) {
            rc.next();
            return;
        }
        // Never log or echo what was presented: a near miss is most of a secret.
        Log.warnf("Replay API: refused %s %s from %s (%s)", rc.request().method(), rc.request().path(),
                rc.request().remoteAddress(), authorization == null ? "no credentials" : "wrong credentials");
        rc.response().putHeader("WWW-Authenticate", "Bearer realm=\"issuetrak-bridge-replay\"");
        json(rc, 401, Map.of("error", "unauthorized: send Authorization: Bearer <bridge.replay.token>"));
    }

    private void replay(RoutingContext rc) {
        ReplayRequest request;
        String body = rc.body().asString();
        try {
            request = body == null || body.isBlank() ? ReplayRequest.everything() : requests.readValue(body);
        } catch (JsonProcessingException e) {
            json(rc, 400, Map.of("errors", List.of("body is not a valid replay request: " + e.getOriginalMessage())));
            return;
        }
        if (request == null) {
            request = ReplayRequest.everything();
        }
        List<String> problems = request.problems();
        if (!problems.isEmpty()) {
            json(rc, 400, Map.of("errors", problems));
            return;
        }
        var started = replayer.start(request);
        if (started.isEmpty()) {
            json(rc, 409, replayer.last().map(ReplayRun::snapshot).orElse(ReplayStatus.none()));
            return;
        }
        ReplayRun run = started.get();
        if (!request.dryRun()) {
            rc.response().putHeader(HttpHeaders.LOCATION, STATUS_PATH);
            json(rc, 202, run.snapshot());
            return;
        }
        // The answer is written on the request's own context once the replay thread is done.
        Context context = Vertx.currentContext();
        run.done().whenComplete((status, failure) -> context.runOnContext(ignored -> {
            if (!rc.response().closed()) {
                json(rc, 200, status);
            }
        }));
    }

    private void status(RoutingContext rc) {
        json(rc, 200, replayer.last().map(ReplayRun::snapshot).orElse(ReplayStatus.none()));
    }

    private void cancel(RoutingContext rc) {
        replayer.cancel().ifPresentOrElse(
                run -> json(rc, 202, run.snapshot()),
                () -> json(rc, 409, Map.of("error", "no replay is running")));
    }

    private void json(RoutingContext rc, int status, Object value) {
        String body;
        try {
            body = mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            rc.fail(e);
            return;
        }
        rc.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body);
    }
}
