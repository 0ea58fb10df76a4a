package io.issuetrakbridge.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.issuetrakbridge.config.ApiKey;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * The sandbox's own control endpoints under {@link SandboxServer#ADMIN_PATH}, unsigned and outside the API:
 * {@code faults} (GET; PUT merges the given fields, see {@link FaultsJson}; DELETE resets), {@code api-key} (PUT
 * the key text), {@code notes[?issue=N]} (GET, DELETE), {@code stats} (GET, DELETE), {@code held} (GET: the
 * NoteIDs of creates whose answer is held), {@code held/release} (POST: answer them) and {@code creates} (GET the
 * latest create requests' bodies and answers, DELETE). {@code rate-limits} is
 * {@link RateLimits}'. Admin calls are not
 * counted in the stats.
 */
final class AdminApi {

    private static final Logger LOG = Logger.getLogger(AdminApi.class);

    private final Faults faults;
    private final NoteStore notes;
    private final SandboxStats stats;
    private final CreateRequests creates;
    private final Authentication authentication;
    private final Responses responses;
    private final FaultsJson faultsJson;

    AdminApi(Faults faults, NoteStore notes, SandboxStats stats, CreateRequests creates, Authentication authentication,
            Responses responses) {
        this.faults = faults;
        this.notes = notes;
        this.stats = stats;
        this.creates = creates;
        this.authentication = authentication;
        this.responses = responses;
        this.faultsJson = new FaultsJson(responses.mapper());
    }

    /** {@code faults}: GET, PUT (or POST), DELETE. */
    void faults(RoutingContext ctx) {
        HttpMethod method = ctx.request().method();
        if (method == HttpMethod.GET) {
            responses.json(ctx, 200, faultsJson.render(faults.current()));
        } else if (method == HttpMethod.PUT || method == HttpMethod.POST) {
            Faults.Plan next;
            try {
                next = faultsJson.merge(faults.current(), SandboxRouter.body(ctx));
            } catch (IllegalArgumentException | ArithmeticException e) {
                responses.message(ctx, 400, e.getMessage());
                return;
            }
            faults.set(next);
            ObjectNode now = faultsJson.render(next);
            LOG.infof("Sandbox faults now %s", now);
            responses.json(ctx, 200, now);
        } else if (method == HttpMethod.DELETE) {
            faults.reset();
            LOG.info("Sandbox faults reset");
            responses.noContent(ctx);
        } else {
            responses.methodNotAllowed(ctx, "GET, PUT, DELETE");
        }
    }

    /** {@code api-key}: PUT (or POST) the key text. */
    void apiKey(RoutingContext ctx) {
        HttpMethod method = ctx.request().method();
        if (method != HttpMethod.PUT && method != HttpMethod.POST) {
            responses.methodNotAllowed(ctx, "PUT");
            return;
        }
        String key = new String(SandboxRouter.body(ctx), StandardCharsets.UTF_8).trim();
        if (key.isEmpty()) {
            responses.message(ctx, 400, "The body must be the API key text.");
            return;
        }
        authentication.apiKey(ApiKey.of(key));
        LOG.info("Sandbox API key changed");
        responses.noContent(ctx);
    }

    /** {@code notes[?issue=N]}: GET, DELETE. */
    void notes(RoutingContext ctx) {
        HttpMethod method = ctx.request().method();
        if (method == HttpMethod.DELETE) {
            notes.clear();
            responses.noContent(ctx);
            return;
        }
        if (method != HttpMethod.GET) {
            responses.methodNotAllowed(ctx, "GET, DELETE");
            return;
        }
        String issue = ctx.request().getParam("issue");
        if (issue == null) {
            responses.json(ctx, 200, notes.all());
            return;
        }
        try {
            responses.json(ctx, 200, notes.forIssue(Long.parseLong(issue.trim())));
        } catch (NumberFormatException e) {
            responses.message(ctx, 400, "issue must be a number, was '" + issue + "'.");
        }
    }

    /** {@code stats}: GET, DELETE. */
    void stats(RoutingContext ctx) {
        HttpMethod method = ctx.request().method();
        if (method == HttpMethod.GET) {
            responses.json(ctx, 200, statsJson());
        } else if (method == HttpMethod.DELETE) {
            stats.reset();
            responses.noContent(ctx);
        } else {
            responses.methodNotAllowed(ctx, "GET, DELETE");
        }
    }

    /** {@code creates}: GET the latest create requests' bodies and answers, oldest first; DELETE forgets them. */
    void creates(RoutingContext ctx) {
        HttpMethod method = ctx.request().method();
        if (method == HttpMethod.GET) {
            responses.json(ctx, 200, creates.all());
        } else if (method == HttpMethod.DELETE) {
            creates.clear();
            responses.noContent(ctx);
        } else {
            responses.methodNotAllowed(ctx, "GET, DELETE");
        }
    }

    /** {@code held}: GET the NoteIDs of stored creates whose answer is held, lowest first. */
    void held(RoutingContext ctx) {
        if (ctx.request().method() != HttpMethod.GET) {
            responses.methodNotAllowed(ctx, "GET");
            return;
        }
        responses.json(ctx, 200, faults.held());
    }

    /** {@code held/release}: POST answers every held create; the body says how many. */
    void releaseHeld(RoutingContext ctx) {
        if (ctx.request().method() != HttpMethod.POST) {
            responses.methodNotAllowed(ctx, "POST");
            return;
        }
        int released = faults.releaseHeld();
        LOG.infof("Sandbox released %d held creates", released);
        responses.json(ctx, 200, responses.mapper().createObjectNode().put("released", released));
    }

    /** Any other path under the admin root. */
    void unknown(RoutingContext ctx) {
        responses.message(ctx, 404, "No sandbox admin endpoint '" + ctx.request().path()
                + "'. Known: faults, api-key, notes, stats, creates, held, held/release, rate-limits, workers.");
    }

    private ObjectNode statsJson() {
        ObjectNode node = responses.mapper().createObjectNode();
        ObjectNode byStatus = node.putObject("requests");
        long total = 0;
        for (Map.Entry<Integer, Long> e : stats.byStatus().entrySet()) {
            byStatus.put(Integer.toString(e.getKey()), e.getValue());
            total += e.getValue();
        }
        node.put("requestsTotal", total);
        node.put("droppedConnections", stats.droppedConnections());
        node.put("delayedCreates", stats.delayedCreates());
        node.put("heldCreates", stats.heldCreates());
        node.put("heldNow", faults.held().size());
        node.put("trickledAnswers", stats.trickledAnswers());
        node.put("notesCreated", notes.createdCount());
        node.put("notesStored", notes.size());
        node.put("rememberedRequestIds", authentication.rememberedRequestIds());
        return node;
    }
}
