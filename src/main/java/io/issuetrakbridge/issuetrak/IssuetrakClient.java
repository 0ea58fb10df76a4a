package io.issuetrakbridge.issuetrak;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.budget.RequestBudget;
import io.issuetrakbridge.config.ConfigValidator;
import io.issuetrakbridge.config.IssuetrakConfig;
import io.issuetrakbridge.issuetrak.IssuetrakException.Rejected;
import io.issuetrakbridge.issuetrak.RequestSigner.SignedHeaders;
import io.issuetrakbridge.issuetrak.dto.CreateNote;
import io.issuetrakbridge.issuetrak.dto.NotePage;
import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.issuetrakbridge.metrics.BridgeMetrics;
import io.issuetrakbridge.resilience.AdaptiveConcurrency;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.issuetrakbridge.tracing.CommandTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SSLOptions;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

/**
 * Signed client for Issuetrak's Notes API: create a note, read a note, list an issue's notes, and a
 * cheap signed probe. One Vert.x Mutiny WebClient (one connection pool), built once for the application.
 * Every failure arrives as an {@link IssuetrakException} chosen by {@link ResponseClassifier}.
 *
 * <p>Each returned {@link Uni} is lazy and signs on subscription, so re-subscribing (a retry) sends a
 * fresh request ID and timestamp, as Issuetrak requires.
 */
@ApplicationScoped
public class IssuetrakClient {

    private static final Logger LOG = Logger.getLogger(IssuetrakClient.class);
    private static final String JSON = "application/json; charset=utf-8";
    private static final TextMapSetter<HttpRequest<Buffer>> TRACE_HEADERS = (request, name, value) -> {
        if (request != null) {
            request.putHeader(name, value);
        }
    };

    private final WebClient http;
    private final ExchangeDeadline deadline;
    private final RequestSigner signer;
    private final ResponseClassifier classifier;
    private final ObjectMapper json;
    private final String notesPath;
    private final String origin;
    private final long requestTimeoutMs;
    private final BridgeMetrics metrics;
    private final CommandTracing tracing;
    private final RequestBudget budget;
    private final AdaptiveConcurrency concurrency;

    /** Outside CDI (plain JUnit tests): meters go to a private registry, no trace headers. */
    public IssuetrakClient(Vertx vertx, IssuetrakConfig config, ObjectMapper json, TlsConfigurationRegistry tlsRegistry) {
        this(vertx, config, json, tlsRegistry, new BridgeMetrics(new SimpleMeterRegistry()),
                new CommandTracing(OpenTelemetry.noop()), new RequestBudget(config));
    }

    @Inject
    public IssuetrakClient(Vertx vertx, IssuetrakConfig config, ObjectMapper json, TlsConfigurationRegistry tlsRegistry,
            BridgeMetrics metrics, CommandTracing tracing, RequestBudget budget) {
        this.metrics = metrics;
        this.budget = budget;
        this.tracing = tracing;
        // Also checked at start-up; repeated here because a bean may build the client before that observer runs.
        ConfigValidator.check(config);
        this.json = json;
        this.signer = new RequestSigner(config.apiKey());
        this.classifier = new ResponseClassifier(config.apiKey(), json, java.time.Clock.systemUTC());
        this.requestTimeoutMs = config.requestTimeout().toMillis();
        URI base = config.baseUrl();
        String prefix = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        this.notesPath = prefix + "/api/v" + config.apiVersion() + "/notes";
        // For messages: scheme, host and port only, so no user-info or query in the base URL reaches a log line.
        this.origin = base.getScheme() + "://" + base.getHost() + (base.getPort() == -1 ? "" : ":" + base.getPort());
        this.http = WebClient.create(vertx, options(config, base, tlsRegistry));
        this.deadline = new ExchangeDeadline(vertx.getDelegate(), http, requestTimeoutMs);
        this.concurrency = new AdaptiveConcurrency(config);
        metrics.issuetrakConcurrency(concurrency::limit, concurrency::noLoadLatencySeconds, concurrency::waiting);
    }

    private static WebClientOptions options(IssuetrakConfig config, URI base, TlsConfigurationRegistry tlsRegistry) {
        boolean https = "https".equalsIgnoreCase(base.getScheme());
        String host = base.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        WebClientOptions options = new WebClientOptions()
                .setDefaultHost(host)
                .setDefaultPort(base.getPort() != -1 ? base.getPort() : https ? 443 : 80)
                .setSsl(https)
                // Netty's connect timeout: it fails with ConnectTimeoutException, i.e. nothing was sent.
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setMaxPoolSize(config.maxConnections())
                .setKeepAlive(true)
                // A redirect means the base URL is wrong; following it would send a request signed for another path.
                .setFollowRedirects(false)
                .setUserAgent("issuetrak-bridge");
        Optional<String> tlsName = config.tlsConfigurationName();
        if (tlsName.isPresent() && !https) {
            LOG.warnf("issuetrak.tls-configuration-name=%s is ignored: issuetrak.base-url is not https", tlsName.get());
        } else if (tlsName.isPresent()) {
            TlsConfiguration tls = tlsRegistry.get(tlsName.get()).orElseThrow(() -> new IllegalStateException(
                    "issuetrak.tls-configuration-name names '" + tlsName.get()
                            + "', but there is no such TLS configuration (quarkus.tls." + tlsName.get() + ".*)"));
            applyTls(options, tls);
        }
        return options;
    }

    private static void applyTls(WebClientOptions options, TlsConfiguration tls) {
        if (tls.isTrustAll()) {
            options.setTrustAll(true).setVerifyHost(false);
        } else if (tls.getTrustStoreOptions() != null) {
            options.setTrustOptions(tls.getTrustStoreOptions());
        }
        if (tls.getKeyStoreOptions() != null) {
            // Mutual TLS, for deployments behind a gateway that demands a client certificate.
            options.setKeyCertOptions(tls.getKeyStoreOptions());
        }
        if (tls.getHostnameVerificationAlgorithm().filter("NONE"::equalsIgnoreCase).isPresent()) {
            options.setVerifyHost(false);
        }
        SSLOptions ssl = tls.getSSLOptions();
        if (ssl != null) {
            options.setSslHandshakeTimeout(ssl.getSslHandshakeTimeout());
            options.setSslHandshakeTimeoutUnit(ssl.getSslHandshakeTimeoutUnit());
            options.setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols());
            ssl.getEnabledCipherSuites().forEach(options::addEnabledCipherSuite);
        }
        options.setForceSni(tls.usesSni());
    }

    /** Closes the connection pool: by CDI at shutdown, by hand outside it (plain JUnit tests). */
    @PreDestroy
    public void close() {
        http.close();
    }

    /** Creates a note; the result is Issuetrak's new NoteID. */
    public Uni<Long> createNote(CreateNote note) {
        return createNote(note, CallContext.of(null, note.issueNumber()));
    }

    /**
     * Creates a note; the result is Issuetrak's new NoteID.
     *
     * @param commandId the command this call serves, for log lines; may be null
     */
    public Uni<Long> createNote(CreateNote note, String commandId) {
        return createNote(note, CallContext.of(commandId, note.issueNumber()));
    }

    /**
     * Creates a note; the result is Issuetrak's new NoteID.
     *
     * @param command the command this call serves: log lines and the trace context sent as {@code traceparent}
     */
    public Uni<Long> createNote(CreateNote note, CallContext command) {
        return Uni.createFrom().deferred(() -> {
            // Serialised once: these exact bytes are signed and sent, on every subscription.
            byte[] body;
            try {
                body = json.writeValueAsBytes(note);
            } catch (IOException e) {
                return Uni.createFrom().failure(new IllegalArgumentException("CreateNote cannot be serialised", e));
            }
            String op = "POST " + notesPath;
            return exchange(HttpMethod.POST, notesPath, body, "create", op, command)
                    .map(response -> noteId(op, response));
        });
    }

    /** Reads one note. A note that does not exist fails with {@link Rejected} (404). */
    public Uni<ReadNote> getNote(long noteId) {
        return getNote(noteId, CallContext.none());
    }

    /** As {@link #getNote(long)}, logging with the command it serves. */
    public Uni<ReadNote> getNote(long noteId, String commandId) {
        return getNote(noteId, CallContext.of(commandId, null));
    }

    /** As {@link #getNote(long)}, for the command it serves (log lines, trace context). */
    public Uni<ReadNote> getNote(long noteId, CallContext command) {
        String path = notesPath + "/" + noteId;
        return Uni.createFrom().deferred(() -> exchange(HttpMethod.GET, path, null, "get", "GET " + path, command))
                .map(response -> read("GET " + path, response, ReadNote.class));
    }

    /** Reads all notes of an issue (v1 answers one page). A non-existent issue fails with {@link Rejected} (400). */
    public Uni<NotePage> notesForIssue(long issueNumber) {
        return notesForIssue(issueNumber, CallContext.of(null, issueNumber));
    }

    /** As {@link #notesForIssue(long)}, logging with the command it serves. */
    public Uni<NotePage> notesForIssue(long issueNumber, String commandId) {
        return notesForIssue(issueNumber, CallContext.of(commandId, issueNumber));
    }

    /** As {@link #notesForIssue(long)}, for the command it serves (log lines, trace context). */
    public Uni<NotePage> notesForIssue(long issueNumber, CallContext command) {
        String path = notesPath + "/issue/" + issueNumber;
        return Uni.createFrom().deferred(() -> exchange(HttpMethod.GET, path, null, "list", "GET " + path, command))
                .map(response -> read("GET " + path, response, NotePage.class));
    }

    /**
     * A cheap signed request (the notes of issue 0) proving Issuetrak is reachable, the notes API is where
     * {@code issuetrak.base-url} says, and it accepts our signature. Issuetrak answers 400 for issue 0 (no such
     * issue, or not a valid number) only once the signature is verified, so a 400 or 422 passes. A 404 does not:
     * the notes route is not at that URL (IIS answers unknown routes before any signature check), so the base
     * URL is wrong. Fails with the classified exception otherwise.
     */
    public Uni<Void> probe() {
        String path = notesPath + "/issue/0";
        String op = "GET " + path;
        return Uni.createFrom().deferred(() -> send(HttpMethod.GET, path, null, "probe", op, CallContext.none()))
                .invoke(outcome -> outcome.failure().ifPresent(e -> {
                    if (!(e instanceof Rejected) || e.status().orElse(0) == 404) {
                        throw e.status().orElse(0) == 404 ? classifier.noApiAt(origin + path) : e;
                    }
                }))
                .replaceWithVoid();
    }

    /** The request path of the notes resource, with prefix and version, e.g. {@code /issuetrak/api/v1/notes}. */
    public String notesPath() {
        return notesPath;
    }

    /** An HTTP answer, read whole. */
    private record Answer(int status, String retryAfter, Buffer body) {

        String bodyAsString() {
            return body == null ? null : body.toString(StandardCharsets.UTF_8.name());
        }
    }

    private record Outcome(Answer response, Optional<IssuetrakException> failure) {
    }

    /** Sends and fails on any non-2xx answer. */
    private Uni<Answer> exchange(HttpMethod method, String path, byte[] body, String operation,
            String op, CallContext command) {
        return send(method, path, body, operation, op, command).map(outcome -> {
            outcome.failure().ifPresent(e -> {
                throw e;
            });
            return outcome.response();
        });
    }

    /**
     * The only place a request leaves: it waits for Issuetrak's request budget first ({@link RequestBudget}), and is
     * signed only once it may go, so its timestamp is fresh.
     *
     * @param operation the meter's {@code operation} tag: create, get, list or probe
     */
    private Uni<Outcome> send(HttpMethod method, String path, byte[] body, String operation, String op,
            CallContext command) {
        // The budget decides when a request may leave; then it waits, unsigned, for a slot of the concurrency
        // Issuetrak serves before its latency rises. Budget waits stay outside the slot: they are not Issuetrak's latency.
        // At both, the command's priority decides who goes next (the probe is normal: it serves no command).
        return budget.spend(method != HttpMethod.GET, operation, command,
                () -> concurrency.call(command.priority(), () -> signAndSend(method, path, body, operation, op, command),
                        outcome -> outcome.response().status()),
                outcome -> outcome.response().status());
    }

    /**
     * Signs and sends one request; transport failures fail the Uni, HTTP answers are classified but returned. The
     * latency meter and the trace header are set here.
     */
    private Uni<Outcome> signAndSend(HttpMethod method, String path, byte[] body, String operation, String op,
            CallContext command) {
        SignedHeaders signed = signer.sign(method.name(), path, "", body, Instant.now(), UUID.randomUUID());
        HttpRequest<Buffer> request = http.request(method, path)
                // Bounds the wait for a pooled connection (and connecting): past it the pool drops the request, which
                // was never sent, and fails with "getting a connection", i.e. UNAVAILABLE.
                .connectTimeout(requestTimeoutMs)
                // Idle timeout: a backstop for a connection that goes silent, twice the deadline so that ExchangeDeadline,
                // which starts at the same moment, always fires first: one AMBIGUOUS message, not whichever timer won.
                .idleTimeout(2 * requestTimeoutMs)
                .putHeader(RequestSigner.TIMESTAMP_HEADER, signed.timestamp())
                .putHeader(RequestSigner.REQUEST_ID_HEADER, signed.requestId())
                .putHeader(RequestSigner.AUTHORIZATION_HEADER, signed.signature())
                .putHeader("Accept", "application/json");
        if (body != null) {
            request.putHeader("Content-Type", JSON);
        }
        // The WebClient is not instrumented here: a span of our own, continued by hand (W3C traceparent).
        Span span = tracing.calling(command.trace(), method.name(), operation);
        tracing.inject(command.trace().with(span), request, TRACE_HEADERS);
        long started = System.nanoTime();
        // Lazy: the request leaves when the Uni is subscribed. The signed bytes are the bytes sent.
        Uni<HttpResponse<Buffer>> exchange = body == null ? request.send() : request.sendBuffer(Buffer.buffer(body));
        // The answer has its deadline from when the request has a connection, so time queued for one never makes an
        // exchange AMBIGUOUS; past it the request is reset (ExchangeDeadline). An answer whose headers came but whose
        // body trickles would otherwise keep the idle timeout from ever firing.
        Uni<Answer> sent = deadline.guard(signed.requestId(), exchange)
                .map(response -> new Answer(response.statusCode(), response.getHeader("Retry-After"), response.body()));
        return sent
                .onFailure().transform(failure -> {
                    IssuetrakException classified = classifier.classify(op, failure);
                    metrics.issuetrakCall(operation, classified.category().name(), System.nanoTime() - started);
                    CommandTracing.end(span, classified);
                    if (LOG.isDebugEnabled()) {
                        command.debug(LOG, "%s failed after %d ms as %s (request %s)", op, elapsedMs(started),
                                classified.category(), signed.requestId());
                    }
                    return classified;
                })
                .map(response -> {
                    Optional<IssuetrakException> failure = classifier.classify(op, response.status(),
                            response.retryAfter(), response.bodyAsString(), signed.signature());
                    metrics.issuetrakCall(operation, Integer.toString(response.status()), System.nanoTime() - started);
                    span.setAttribute("http.response.status_code", response.status());
                    CommandTracing.end(span, failure.orElse(null));
                    if (LOG.isDebugEnabled()) {
                        command.debug(LOG, "%s answered %d in %d ms (request %s)", op, response.status(),
                                elapsedMs(started), signed.requestId());
                    }
                    return new Outcome(response, failure);
                });
    }

    private Long noteId(String op, Answer response) {
        String text = response.bodyAsString();
        String digits = text == null ? "" : text.strip();
        if (digits.length() > 1 && digits.startsWith("\"") && digits.endsWith("\"")) {
            digits = digits.substring(1, digits.length() - 1);
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw classifier.unreadableAnswer(op, response.status(), true);
        }
    }

    private <T> T read(String op, Answer response, Class<T> type) {
        try {
            return json.readValue(response.body() == null ? new byte[0] : response.body().getBytes(), type);
        } catch (IOException e) {
            throw classifier.unreadableAnswer(op, response.status(), false);
        }
    }

    private static long elapsedMs(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
