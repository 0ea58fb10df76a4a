package io.issuetrakbridge.sandbox;

import java.time.Clock;
import java.util.Optional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.issuetrakbridge.config.ApiKey;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServer;

/**
 * A stand-in for Issuetrak's Notes API (api/v1), as the vendor's pages describe it, for tests, the local
 * run and the benchmark. Plain Vert.x, no CDI: start it from a JUnit test, a test resource, {@link SandboxMain}
 * or {@link SandboxLifecycle}.
 *
 * <p>This class only assembles the parts and owns their life cycle: {@link SandboxRouter} (which handler answers
 * what, and the chain of gates every API request passes), {@link NotesApi} (the operations), {@link AdminApi}
 * (the unsigned control endpoints under {@link #ADMIN_PATH}), {@link WorkerPool} (a fixed number of workers and
 * their queue), {@link FaultInjection} (applies {@link Faults}),
 * {@link Authentication} (the HMAC check), {@link RequestCounting} ({@link SandboxStats}) and {@link SandboxTls}.
 *
 * <p>Everything runs on the server's event loop: delays are Vert.x timers and state lives in concurrent maps,
 * so one core answers well over 10,000 requests a second.
 */
public final class SandboxServer {

    private static final Logger LOG = Logger.getLogger(SandboxServer.class);

    /** Admin endpoints live here, outside the API and unsigned (also accepted under the path prefix). */
    public static final String ADMIN_PATH = "/sandbox/admin";

    private final io.vertx.core.Vertx vertx;
    private final SandboxSettings settings;
    private final Faults faults = new Faults();
    private final NoteStore notes = new NoteStore();
    private final SandboxStats stats = new SandboxStats();
    private final CreateRequests creates = new CreateRequests();
    private final Authentication authentication;
    private final NotesApi notesApi;
    private final SandboxRouter router;
    private final RateLimits rateLimits;
    private final WorkerPool workers;
    private volatile HttpServer httpServer;

    private SandboxServer(io.vertx.core.Vertx vertx, SandboxSettings settings) {
        this.vertx = vertx;
        this.settings = settings;
        ObjectMapper json = JsonMapper.builder()
                // ASP.NET ignores unknown members; it does not silently truncate 6.5 to 6.
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        Responses apiResponses = new Responses(json, faults::echoRequests);
        Responses adminResponses = new Responses(json, () -> false);
        FaultInjection faultInjection = new FaultInjection(vertx, faults, stats, apiResponses);
        this.authentication = new Authentication(
                new RequestAuthenticator(settings.apiKey(), settings.maxClockSkew(), Clock.systemUTC()), apiResponses);
        this.notesApi = new NotesApi(settings, notes, faultInjection, apiResponses);
        AdminApi admin = new AdminApi(faults, notes, stats, creates, authentication, adminResponses);
        this.rateLimits = new RateLimits(vertx, apiResponses);
        this.workers = new WorkerPool(apiResponses);
        this.router = new SandboxRouter(settings.pathPrefix(), new RequestCounting(stats), creates, rateLimits, workers,
                faultInjection, authentication, notesApi, admin, apiResponses);
    }

    /** Starts a sandbox; the Uni completes once it listens. */
    public static Uni<SandboxServer> start(io.vertx.mutiny.core.Vertx vertx, SandboxSettings settings) {
        return Uni.createFrom().deferred(() -> new SandboxServer(vertx.getDelegate(), settings).listen());
    }

    private Uni<SandboxServer> listen() {
        HttpServer server = vertx.createHttpServer(SandboxTls.serverOptions(settings))
                .requestHandler(router.build(vertx));
        return Uni.createFrom().completionStage(() -> server.listen().toCompletionStage())
                .map(listening -> {
                    httpServer = listening;
                    LOG.infof("Issuetrak sandbox listening on %s", baseUrl());
                    return this;
                });
    }

    /** The port it listens on (the real one when started with port 0). */
    public int port() {
        return httpServer.actualPort();
    }

    /** {@code scheme://host:port} plus the path prefix: what the bridge's {@code issuetrak.base-url} should be. */
    public String baseUrl() {
        String host = settings.host();
        if ("0.0.0.0".equals(host) || "::".equals(host)) {
            host = "127.0.0.1";
        } else if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return (settings.tls() ? "https" : "http") + "://" + host + ":" + port() + settings.pathPrefix();
    }

    public SandboxSettings settings() {
        return settings;
    }

    public Faults faults() {
        return faults;
    }

    /** Issuetrak's rate-limit rules as the sandbox enforces them, and what they refused. */
    public RateLimits rateLimits() {
        return rateLimits;
    }

    /** The fixed-workers model (off unless configured): latency that grows past the knee, 503 past the queue. */
    public WorkerPool workers() {
        return workers;
    }

    public NoteStore notes() {
        return notes;
    }

    public SandboxStats stats() {
        return stats;
    }

    /** The bodies of the latest create requests as received, and how each was answered. */
    public CreateRequests creates() {
        return creates;
    }

    /** The {@code traceparent} header of the latest valid create-note request for an issue, if it had one. */
    public Optional<String> lastTraceparent(long issueNumber) {
        return notesApi.lastTraceparent(issueNumber);
    }

    /** Changes the key requests must be signed with from now on (e.g. "the operator fixed the key"). */
    public void apiKey(ApiKey key) {
        authentication.apiKey(key);
    }

    /** Stops listening; open connections are closed. */
    public Uni<Void> close() {
        rateLimits.close();
        HttpServer server = httpServer;
        if (server == null) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().completionStage(() -> server.close().toCompletionStage())
                .invoke(() -> LOG.infof("Issuetrak sandbox on port %d stopped", server.actualPort()));
    }
}
