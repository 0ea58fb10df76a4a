package io.issuetrakbridge.sandbox;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * A server with a fixed number of workers, the shape of an IIS application pool: each API request holds a
 * worker from the moment it passes this gate until its answer has been sent (or its connection closed), so
 * the configured latency ({@link Faults}, applied after this gate) is the service time. Requests beyond the
 * workers wait in a FIFO queue, so the latency a client sees grows once more requests arrive than there are
 * workers (the knee an adaptive client has to find); a request that finds the queue full is answered 503 at
 * once, as HTTP.sys does when an application pool's queue is full.
 *
 * <p>Off ({@code workers = 0}) by default: every request proceeds at once. Switchable at run time through
 * {@link #configure} or {@code /sandbox/admin/workers} (GET; PUT merges {@code workers}, {@code queueLimit};
 * DELETE switches it off and clears the counters). A change applies to requests arriving from then on;
 * requests already queued start as soon as the new number of workers allows.
 */
public final class WorkerPool implements Handler<RoutingContext> {

    /** IIS's default application-pool queue length. */
    public static final int DEFAULT_QUEUE_LIMIT = 1000;

    /**
     * @param workers requests served at once; 0 switches the model off
     * @param queueLimit requests that may wait for a worker; one more is answered 503
     */
    public record Settings(int workers, int queueLimit) {

        public static final Settings OFF = new Settings(0, DEFAULT_QUEUE_LIMIT);

        public Settings {
            if (workers < 0) {
                throw new IllegalArgumentException("workers must be >= 0, was " + workers);
            }
            if (queueLimit < 0) {
                throw new IllegalArgumentException("queueLimit must be >= 0, was " + queueLimit);
            }
        }

        boolean on() {
            return workers > 0;
        }
    }

    private final Responses responses;
    // Requests arrive on any of the server's event loops: one small lock, held only to count and enqueue.
    private final Object lock = new Object();
    private final Queue<Waiter> waiting = new ArrayDeque<>();
    private Settings settings = Settings.OFF;
    private int busy;
    private long rejected;
    private int peakQueued;

    WorkerPool(Responses responses) {
        this.responses = responses;
    }

    /** Replaces the workers and the queue limit; queued requests start if there are now free workers. */
    public void configure(Settings next) {
        List<Runnable> start;
        synchronized (lock) {
            settings = next;
            start = admitQueued();
        }
        start.forEach(Runnable::run);
    }

    /** Off, counters cleared (queued requests start at once). */
    public void reset() {
        configure(Settings.OFF);
        synchronized (lock) {
            rejected = 0;
            peakQueued = 0;
        }
    }

    public Settings settings() {
        synchronized (lock) {
            return settings;
        }
    }

    /** Requests holding a worker now. */
    public int busy() {
        synchronized (lock) {
            return busy;
        }
    }

    /** Requests waiting for a worker now. */
    public int queued() {
        synchronized (lock) {
            return waiting.size();
        }
    }

    /** The most requests that waited for a worker at once, since the last reset. */
    public int peakQueued() {
        synchronized (lock) {
            return peakQueued;
        }
    }

    /** Requests answered 503 because the queue was full, since the last reset. */
    public long rejected() {
        synchronized (lock) {
            return rejected;
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        Context context = Vertx.currentContext();
        boolean proceed = false;
        boolean reject = false;
        synchronized (lock) {
            if (!settings.on()) {
                proceed = true;
            } else if (busy < settings.workers() && waiting.isEmpty()) {
                Waiter admitted = new Waiter(context, ctx);
                admitted.admitted = true;
                busy++;
                ctx.addEndHandler(done -> release(admitted));
                proceed = true;
            } else if (waiting.size() >= settings.queueLimit()) {
                rejected++;
                reject = true;
            } else {
                Waiter queued = new Waiter(context, ctx);
                ctx.addEndHandler(done -> release(queued));
                waiting.add(queued);
                peakQueued = Math.max(peakQueued, waiting.size());
            }
        }
        if (proceed) {
            ctx.next();
        } else if (reject) {
            responses.message(ctx, 503, "The service is unavailable.");
        }
    }

    // Once per request that passed or queued: when its answer is sent, or its connection closed (even while queued).
    private void release(Waiter done) {
        List<Runnable> start;
        synchronized (lock) {
            if (done.admitted) {
                busy--;
            } else {
                waiting.remove(done);
            }
            start = admitQueued();
        }
        start.forEach(Runnable::run);
    }

    // Called with the lock held; the returned requests are started after it is released.
    private List<Runnable> admitQueued() {
        List<Runnable> start = new ArrayList<>();
        while (!waiting.isEmpty() && (!settings.on() || busy < settings.workers())) {
            Waiter next = waiting.poll();
            next.admitted = true;
            busy++;
            start.add(next::resume);
        }
        return start;
    }

    /** A request that holds or waits for a worker; {@code admitted} is guarded by the pool's lock. */
    private static final class Waiter {

        private final Context context;
        private final RoutingContext ctx;
        private boolean admitted;

        Waiter(Context context, RoutingContext ctx) {
            this.context = context;
            this.ctx = ctx;
        }

        // On the request's own event loop, as Vert.x Web expects.
        void resume() {
            context.runOnContext(v -> ctx.next());
        }
    }

    /** {@code /sandbox/admin/workers}: GET, PUT (or POST) merging {@code workers} and {@code queueLimit}, DELETE. */
    void admin(RoutingContext ctx) {
        HttpMethod method = ctx.request().method();
        if (method == HttpMethod.GET) {
            responses.json(ctx, 200, render());
        } else if (method == HttpMethod.PUT || method == HttpMethod.POST) {
            try {
                configure(merge(settings(), ctx));
            } catch (IllegalArgumentException e) {
                responses.message(ctx, 400, e.getMessage());
                return;
            }
            responses.json(ctx, 200, render());
        } else if (method == HttpMethod.DELETE) {
            reset();
            responses.noContent(ctx);
        } else {
            responses.methodNotAllowed(ctx, "GET, PUT, DELETE");
        }
    }

    private Settings merge(Settings current, RoutingContext ctx) {
        JsonNode node;
        try {
            node = responses.mapper().readTree(SandboxRouter.body(ctx));
        } catch (java.io.IOException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("The body must be a JSON object with workers and/or queueLimit.");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!"workers".equals(name) && !"queueLimit".equals(name)) {
                throw new IllegalArgumentException("Unknown field '" + name + "'. Known: workers, queueLimit.");
            }
        }
        return new Settings(wholeNumber(node, "workers", current.workers()),
                wholeNumber(node, "queueLimit", current.queueLimit()));
    }

    private static int wholeNumber(JsonNode node, String name, int current) {
        JsonNode value = node.get(name);
        if (value == null) {
            return current;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new IllegalArgumentException(name + " must be a whole number, was " + value);
        }
        return value.intValue();
    }

    private ObjectNode render() {
        ObjectNode node = responses.mapper().createObjectNode();
        synchronized (lock) {
            node.put("workers", settings.workers());
            node.put("queueLimit", settings.queueLimit());
            node.put("busy", busy);
            node.put("queued", waiting.size());
            node.put("peakQueued", peakQueued);
            node.put("rejected", rejected);
        }
        return node;
    }
}
