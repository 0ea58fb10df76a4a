package io.issuetrakbridge.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * How the sandbox writes its answers: JSON bodies, ASP.NET Web API's {@code {"Message": "..."}} error shape (with
 * {@code ModelState} for an invalid DTO), IIS's HTML pages, and empty 204s. One instance for the API (whose error
 * bodies may quote the request, see {@link Faults#echoRequests(boolean)}) and one for the admin endpoints (which
 * never do). An answer whose request was picked to trickle (see {@link FaultInjection}) is sent that way here.
 */
final class Responses {

    private static final Logger LOG = Logger.getLogger(Responses.class);

    static final String JSON = "application/json; charset=utf-8";
    static final String TEXT = "text/plain; charset=utf-8";
    static final String HTML = "text/html";
    /** Web API's top-level message for a DTO that failed binding or validation. */
    static final String INVALID = "The request is invalid.";
    /** Request data: how long this answer's body is to trickle, in ms; absent for a normal answer. */
    static final String TRICKLE_MS = "sandbox.trickleMs";
    /** At most one write per this many ms while trickling. */
    private static final long TRICKLE_STEP_MS = 10;

    private final ObjectMapper json;
    private final BooleanSupplier echoRequests;

    Responses(ObjectMapper json, BooleanSupplier echoRequests) {
        this.json = json;
        this.echoRequests = echoRequests;
    }

    ObjectMapper mapper() {
        return json;
    }

    void json(RoutingContext ctx, int status, Object value) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            LOG.error("Sandbox could not serialize a response", e);
            message(ctx, 500, "An error has occurred.");
            return;
        }
        send(ctx, status, JSON, Buffer.buffer(bytes));
    }

    /** Issuetrak's (ASP.NET Web API's) error shape: {"Message": "..."}. */
    void message(RoutingContext ctx, int status, String text) {
        error(ctx, status, json.createObjectNode().put("Message", text));
    }

    /**
     * 400 the way Web API answers an invalid DTO:
     * {"Message": "The request is invalid.", "ModelState": {"note.Field": ["...", ...]}}.
     */
    void modelState(RoutingContext ctx, Map<String, List<String>> errors) {
        ObjectNode node = json.createObjectNode().put("Message", INVALID);
        ObjectNode state = node.putObject("ModelState");
        errors.forEach((key, messages) -> messages.forEach(state.putArray(key)::add));
        error(ctx, 400, node);
    }

    /** An HTML page, as IIS answers outside Web API. */
    void html(RoutingContext ctx, int status, String page) {
        send(ctx, status, HTML, Buffer.buffer(page, "UTF-8"));
    }

    private void error(RoutingContext ctx, int status, ObjectNode node) {
        String text = node.get("Message").asText();
        if (echoRequests.getAsBoolean()) {
            HttpServerRequest request = ctx.request();
            StringBuilder echo = new StringBuilder(text).append(" Request: ").append(request.method()).append(' ')
                    .append(request.uri());
            request.headers().forEach(h -> echo.append("; ").append(h.getKey()).append(": ").append(h.getValue()));
            node.put("Message", echo.toString());
        }
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            bytes = "{\"Message\":\"An error has occurred.\"}".getBytes(StandardCharsets.UTF_8);
        }
        send(ctx, status, JSON, Buffer.buffer(bytes));
    }

    void methodNotAllowed(RoutingContext ctx, String allowed) {
        ctx.response().putHeader(HttpHeaders.ALLOW, allowed);
        message(ctx, 405, "The requested resource does not support http method '" + ctx.request().method().name()
                + "'.");
    }

    void noContent(RoutingContext ctx) {
        send(ctx, 204, TEXT, Buffer.buffer(0));
    }

    void send(RoutingContext ctx, int status, String contentType, Buffer body) {
        HttpServerResponse response = ctx.response();
        if (response.closed() || response.ended()) {
            // The client gave up (timeout) while we were "busy": nothing to answer to.
            return;
        }
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, contentType);
        Long trickleMs = ctx.get(TRICKLE_MS);
        if (trickleMs == null || body.length() == 0) {
            response.end(body);
        } else {
            trickle(ctx.vertx(), response, body, trickleMs);
        }
    }

    /**
     * Status line and headers now, the body in pieces at even intervals, the last at {@code overMs}: the answer
     * has arrived as far as the client's "response received" is concerned, but it cannot be read in time.
     */
    private static void trickle(Vertx vertx, HttpServerResponse response, Buffer body, long overMs) {
        response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length()));
        response.writeHead();
        int writes = (int) Math.max(1, Math.min(body.length(), overMs / TRICKLE_STEP_MS));
        int piece = (body.length() + writes - 1) / writes;
        long stepMs = Math.max(1, overMs / writes);
        vertx.setPeriodic(stepMs, timer -> {
            if (response.closed() || response.ended()) {
                vertx.cancelTimer(timer);
                return;
            }
            int sent = (int) response.bytesWritten();
            int end = Math.min(body.length(), sent + piece);
            if (end >= body.length()) {
                vertx.cancelTimer(timer);
                response.end(body.slice(sent, end));
            } else {
                response.write(body.slice(sent, end));
            }
        });
    }

}
