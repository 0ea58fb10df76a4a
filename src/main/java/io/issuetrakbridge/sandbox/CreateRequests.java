package io.issuetrakbridge.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * Records the body of each create request ({@code POST notes}) as it arrives, before any gate can refuse it, and the
 * status it was answered: what a test needs to see that a retry sent the very bytes of the first try. Only the body
 * and the status: never a header, so no signature or request ID is kept. The last {@link #CAPACITY} are kept.
 */
public final class CreateRequests implements Handler<RoutingContext> {

    /** Enough for a test's few creates; bounded so a benchmark's millions cost nothing more than this. */
    static final int CAPACITY = 100;

    /**
     * One recorded create.
     *
     * @param sequence its place among every create the sandbox received since it started, from 1
     * @param body the request body exactly as received
     * @param status the status it was answered with, null while unanswered (held, slow) or when the connection
     *        closed first
     */
    @RegisterForReflection // serialized by Jackson for GET /sandbox/admin/creates
    @JsonPropertyOrder({ "sequence", "status", "body" })
    public record Recorded(@JsonProperty("sequence") long sequence, @JsonIgnore byte[] body,
            @JsonProperty("status") Integer status) {

        /** The body as UTF-8 text, as the admin API shows it. */
        @JsonProperty("body")
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** One create as it arrived; the status is filled in when the answer's headers are written. */
    private static final class Entry {
        private final long sequence;
        private final byte[] body;
        private volatile Integer status;

        Entry(long sequence, byte[] body) {
            this.sequence = sequence;
            this.body = body;
        }

        Recorded snapshot() {
            return new Recorded(sequence, body.clone(), status);
        }
    }

    private final Deque<Entry> recent = new ArrayDeque<>();
    private long received;

    CreateRequests() {
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (ctx.request().method() == HttpMethod.POST) {
            Entry entry = arrived(SandboxRouter.body(ctx));
            ctx.addHeadersEndHandler(v -> entry.status = ctx.response().getStatusCode());
        }
        ctx.next();
    }

    /** The recorded creates, oldest first. */
    public synchronized List<Recorded> all() {
        return recent.stream().map(Entry::snapshot).toList();
    }

    /** Forgets the recorded creates; the sequence goes on. */
    public synchronized void clear() {
        recent.clear();
    }

    private synchronized Entry arrived(byte[] body) {
        if (recent.size() == CAPACITY) {
            recent.removeFirst();
        }
        Entry entry = new Entry(++received, body);
        recent.addLast(entry);
        return entry;
    }
}
