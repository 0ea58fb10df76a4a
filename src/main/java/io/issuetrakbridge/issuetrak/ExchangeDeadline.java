package io.issuetrakbridge.issuetrak;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.HttpContext;
import io.vertx.ext.web.client.impl.WebClientInternal;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

/**
 * The deadline of an Issuetrak exchange, and what giving up does to the request. A WebClient interceptor sees each
 * request once it has a pooled connection (the {@link ClientPhase#SEND_REQUEST} phase, just before it is written);
 * only then does the {@code issuetrak.request-timeout} for the complete answer start. Past it the request's stream
 * is reset (an HTTP/1.1 request in flight closes its connection, so a trickling answer does not hold it) and the
 * exchange fails with a {@link TimeoutException}: AMBIGUOUS, it may have taken effect.
 *
 * <p>The wait for a connection is bounded by the WebClient itself (the request's connect timeout, see
 * {@link IssuetrakClient}): the pool drops the waiter, so it is never sent, and the failure is UNAVAILABLE. A caller
 * that cancels before the request was written has it aborted here; one that cancels later has it reset. Why not the
 * whole exchange under one Mutiny timeout: it started while the request waited in the pool's queue, gave up on a
 * request that had not left (AMBIGUOUS, so the bridge looked, found nothing and sent again) and left the first to be
 * sent once a connection freed: two notes for one command.
 *
 * <p>Exchanges are found by their {@link RequestSigner#REQUEST_ID_HEADER}, unique per request. The interceptor hook,
 * {@link WebClientInternal#addInterceptor}, is in Vert.x's impl package; it is how Vert.x's own session and caching
 * web clients add theirs, and the WebClient offers no other handle on the core request (for {@code reset()}).
 */
final class ExchangeDeadline {

    private final Vertx vertx;
    private final long timeoutMs;
    private final Map<String, Exchange> exchanges = new ConcurrentHashMap<>();

    /** Installs the interceptor on {@code http}: every request of that client passes it. */
    ExchangeDeadline(Vertx vertx, WebClient http, long timeoutMs) {
        this.vertx = vertx;
        this.timeoutMs = timeoutMs;
        ((WebClientInternal) http.getDelegate()).addInterceptor(this::intercept);
    }

    /**
     * The answer of {@code send}, a request carrying {@code requestId}, or its failure: a {@link TimeoutException}
     * when no complete answer came within the deadline of it having a connection.
     */
    Uni<HttpResponse<Buffer>> guard(String requestId, Uni<HttpResponse<Buffer>> send) {
        return Uni.createFrom().emitter(emitter -> {
            Exchange exchange = new Exchange(emitter);
            // Registered before the request is created, so the interceptor always finds it.
            exchanges.put(requestId, exchange);
            emitter.onTermination(exchange::giveUp);
            // Never cancelled: the WebClient's own end of the exchange is what removes it.
            send.subscribe().with(answer -> {
                exchanges.remove(requestId);
                exchange.end(answer, null);
            }, failure -> {
                exchanges.remove(requestId);
                exchange.end(null, failure);
            });
        });
    }

    private void intercept(HttpContext<?> context) {
        ClientPhase phase = context.phase();
        Exchange exchange = phase == ClientPhase.CREATE_REQUEST || phase == ClientPhase.SEND_REQUEST
                ? exchanges.get(String.valueOf(context.request().headers().get(RequestSigner.REQUEST_ID_HEADER)))
                : null;
        if (exchange == null) {
            context.next();
        } else if (phase == ClientPhase.CREATE_REQUEST ? exchange.waiting() : exchange.connected(context.clientRequest())) {
            context.next();
        } else {
            // Given up before it was written: fail it here. At SEND_REQUEST the WebClient resets the unwritten
            // request, which returns its connection to the pool.
            context.fail(new CancellationException("the request was given up before it was sent"));
        }
    }

    private enum State {
        WAITING, SENDING, OVER
    }

    private final class Exchange {

        private final UniEmitter<? super HttpResponse<Buffer>> emitter;
        private State state = State.WAITING;
        private HttpClientRequest request;
        private long timer = -1;

        Exchange(UniEmitter<? super HttpResponse<Buffer>> emitter) {
            this.emitter = emitter;
        }

        synchronized boolean waiting() {
            return state == State.WAITING;
        }

        /** On the request's event loop, once it has a connection: starts the deadline, unless given up already. */
        boolean connected(HttpClientRequest connected) {
            synchronized (this) {
                if (state != State.WAITING) {
                    return false;
                }
                state = State.SENDING;
                request = connected;
                // Set on the request's event loop, so it fires there too.
                timer = vertx.setTimer(timeoutMs, id -> expire());
                return true;
            }
        }

        private void expire() {
            HttpClientRequest inFlight;
            synchronized (this) {
                if (state != State.SENDING) {
                    return;
                }
                state = State.OVER;
                inFlight = request;
            }
            TimeoutException late = new TimeoutException(
                    "no complete answer within issuetrak.request-timeout (" + timeoutMs + " ms)");
            inFlight.reset(0, late);
            emitter.fail(late);
        }

        /** The caller went away (or the exchange ended): a waiting request is never sent, one in flight is reset. */
        void giveUp() {
            HttpClientRequest inFlight;
            synchronized (this) {
                if (state == State.OVER) {
                    return;
                }
                inFlight = state == State.SENDING ? request : null;
                state = State.OVER;
                cancelTimer();
            }
            if (inFlight != null) {
                inFlight.reset(0, new CancellationException("the exchange was given up"));
            }
        }

        void end(HttpResponse<Buffer> answer, Throwable failure) {
            synchronized (this) {
                if (state == State.OVER) {
                    return;
                }
                state = State.OVER;
                cancelTimer();
            }
            if (failure == null) {
                emitter.complete(answer);
            } else {
                emitter.fail(failure);
            }
        }

        private void cancelTimer() {
            if (timer != -1) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }
    }
}
