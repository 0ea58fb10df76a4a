package io.issuetrakbridge.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * How the sandbox writes its answers: JSON bodies, ASP.NET Web API's {@code {"Message": "..."}} error shape, and
 * empty 204s. One instance for the API (whose error bodies may quote the request, see
 * {@link Faults#echoRequests(boolean)}) and one for the admin endpoints (which never do).
 */
final class Responses {

    private static final Logger LOG = Logger.getLogger(Responses.class);

    static final String JSON = "application/json; charset=utf-8";
    static final String TEXT = "text/plain; charset=utf-8";

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
        ObjectNode node = json.createObjectNode().put("Message", text);
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
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, contentType).end(body);
    }
}
