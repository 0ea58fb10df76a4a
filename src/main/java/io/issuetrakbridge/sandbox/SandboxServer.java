package io.issuetrakbridge.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.issuetrakbridge.config.ApiKey;
import io.issuetrakbridge.issuetrak.dto.CreateNote;
import io.issuetrakbridge.issuetrak.dto.KeyValue;
import io.issuetrakbridge.issuetrak.dto.NotePage;
import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.PemKeyCertOptions;

/**
 * A stand-in for Issuetrak's Notes API (api/v1), as the vendor's pages describe it, for tests, the local
 * run and the benchmark. Plain Vert.x, no CDI: start it from a JUnit test, a test resource, {@link SandboxMain}
 * or {@link SandboxLifecycle}.
 *
 * <p>Everything runs on the server's event loop: routing is hand-written (three routes do not need a Router),
 * delays are Vert.x timers, and state lives in concurrent maps, so one core answers well over 10,000
 * requests a second.
 *
 * <p>API, under {@code <prefix>/api/v1}, every request signed (401 otherwise):
 * <ul>
 * <li>{@code GET notes/{noteID}}: 200 ReadNoteDTO; 400 id zero, negative or beyond 32 bits; 404 no such note;
 * 422 not a number</li>
 * <li>{@code GET notes/issue/{issueNumber}}: 200 paged wrapper; 400 no such issue or not positive; 422 not a
 * number</li>
 * <li>{@code POST notes}: 201 with the bare NoteID; 400 malformed JSON, missing fields, inactive CreatedBy,
 * non-existent issue</li>
 * </ul>
 * Admin, unsigned, under {@code /sandbox/admin} (also accepted under the prefix): {@code faults} (GET, PUT
 * merges the given fields, DELETE resets), {@code api-key} (PUT text), {@code notes[?issue=N]} (GET, DELETE),
 * {@code stats} (GET, DELETE). See {@link Faults} for the fault fields.
 */
public final class SandboxServer {

    private static final Logger LOG = Logger.getLogger(SandboxServer.class);

    /** Admin endpoints live here, outside the API and unsigned. */
    public static final String ADMIN_PATH = "/sandbox/admin";
    private static final String API_PATH = "/api/v1";
    private static final int MAX_BODY_BYTES = 8 * 1024 * 1024;
    private static final String JSON = "application/json; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";
    // .NET round-trip form, as Issuetrak writes QueryDate.
    private static final DateTimeFormatter QUERY_DATE = DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final io.vertx.core.Vertx vertx;
    private final SandboxSettings settings;
    private final Set<String> activeUsersLower;
    private final String prefixLower;
    private final String apiRootLower;
    private final ObjectMapper json;
    private final RequestAuthenticator authenticator;
    private final Faults faults = new Faults();
    private final NoteStore notes = new NoteStore();
    private final SandboxStats stats = new SandboxStats();
    /** The W3C traceparent of the latest create-note request per issue: lets tests follow a trace. */
    private final java.util.Map<Long, String> traceparents = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile HttpServer httpServer;

    private SandboxServer(io.vertx.core.Vertx vertx, SandboxSettings settings) {
        this.vertx = vertx;
        this.settings = settings;
        this.activeUsersLower = settings.activeUsers().stream().map(u -> u.toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
        this.prefixLower = settings.pathPrefix().toLowerCase(Locale.ROOT);
        this.apiRootLower = prefixLower + API_PATH;
        this.json = JsonMapper.builder()
                // ASP.NET ignores unknown members; it does not silently truncate 6.5 to 6.
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        this.authenticator = new RequestAuthenticator(settings.apiKey(), settings.maxClockSkew(), Clock.systemUTC());
    }

    /** Starts a sandbox; the Uni completes once it listens. */
    public static Uni<SandboxServer> start(io.vertx.mutiny.core.Vertx vertx, SandboxSettings settings) {
        return Uni.createFrom().deferred(() -> new SandboxServer(vertx.getDelegate(), settings).listen());
    }

    private Uni<SandboxServer> listen() {
        HttpServerOptions options = new HttpServerOptions().setHost(settings.host()).setPort(settings.port());
        settings.tlsCertPem().ifPresent(cert -> options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(cert.toString()).setKeyPath(settings.tlsKeyPem().orElseThrow().toString())));
        HttpServer server = vertx.createHttpServer(options).requestHandler(this::onRequest);
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

    public NoteStore notes() {
        return notes;
    }

    public SandboxStats stats() {
        return stats;
    }

    /** The {@code traceparent} header of the latest valid create-note request for an issue, if it had one. */
    public Optional<String> lastTraceparent(long issueNumber) {
        return Optional.ofNullable(traceparents.get(issueNumber));
    }

    /** Changes the key requests must be signed with from now on (e.g. "the operator fixed the key"). */
    public void apiKey(ApiKey key) {
        authenticator.apiKey(key);
    }

    /** Stops listening; open connections are closed. */
    public Uni<Void> close() {
        HttpServer server = httpServer;
        if (server == null) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().completionStage(() -> server.close().toCompletionStage())
                .invoke(() -> LOG.infof("Issuetrak sandbox on port %d stopped", server.actualPort()));
    }

    // ---------------------------------------------------------------------------------------- routing

    private void onRequest(HttpServerRequest request) {
        String rawPath = request.path();
        String lowerPath = rawPath.toLowerCase(Locale.ROOT);
        String adminRel = adminRelative(lowerPath);
        if (adminRel != null) {
            readBody(request, body -> admin(request, adminRel, body));
        } else if (isUnder(lowerPath, apiRootLower)) {
            String apiRel = lowerPath.substring(apiRootLower.length());
            readBody(request, body -> api(request, rawPath, apiRel, body));
        } else {
            message(request, 404, "No HTTP resource was found that matches the request URI '" + rawPath + "'.", false);
        }
    }

    private String adminRelative(String lowerPath) {
        String path = !prefixLower.isEmpty() && isUnder(lowerPath, prefixLower)
                ? lowerPath.substring(prefixLower.length())
                : lowerPath;
        return isUnder(path, ADMIN_PATH) ? stripTrailingSlash(path.substring(ADMIN_PATH.length())) : null;
    }

    private static boolean isUnder(String path, String root) {
        return path.startsWith(root) && (path.length() == root.length() || path.charAt(root.length()) == '/');
    }

    private static String stripTrailingSlash(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private void readBody(HttpServerRequest request, Consumer<byte[]> next) {
        Buffer body = Buffer.buffer(0);
        boolean[] tooLarge = { false };
        request.handler(chunk -> {
            if (!tooLarge[0]) {
                if (body.length() + chunk.length() > MAX_BODY_BYTES) {
                    tooLarge[0] = true;
                } else {
                    body.appendBuffer(chunk);
                }
            }
        });
        request.endHandler(done -> {
            if (tooLarge[0]) {
                message(request, 413, "The request body exceeds " + MAX_BODY_BYTES + " bytes.", true);
            } else {
                next.accept(body.getBytes());
            }
        });
    }

    // -------------------------------------------------------------------------------------------- API

    private void api(HttpServerRequest request, String rawPath, String apiRel, byte[] body) {
        stats.entered();
        java.util.concurrent.atomic.AtomicBoolean left = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable leave = () -> {
            if (left.compareAndSet(false, true)) {
                stats.left();
            }
        };
        request.response().endHandler(v -> leave.run());
        request.response().closeHandler(v -> leave.run());
        Faults.Plan plan = faults.current();
        long delayMs = plan.latencyMs() > 0 || plan.jitterMs() > 0 ? Faults.delayMs(plan) : 0;
        if (delayMs > 0) {
            // Like a busy server: the request is processed after the delay even if the client gave up.
            vertx.setTimer(delayMs, timer -> apiAfterLatency(request, rawPath, apiRel, body));
        } else {
            apiAfterLatency(request, rawPath, apiRel, body);
        }
    }

    private void apiAfterLatency(HttpServerRequest request, String rawPath, String apiRel, byte[] body) {
        Faults.Plan plan = faults.current();
        switch (Faults.verdict(plan)) {
            case UNAVAILABLE -> {
                message(request, 503, "The service is unavailable.", true);
                return;
            }
            case THROTTLED -> {
                long retryAfter = Faults.retryAfterSeconds(plan);
                if (retryAfter > 0) {
                    request.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
                }
                message(request, 429, "Too many requests. Try again later.", true);
                return;
            }
            case ERROR -> {
                message(request, 500, "An error has occurred.", true);
                return;
            }
            case PROCEED -> {
                // fall through to authentication
            }
        }
        MultiMap headers = request.headers();
        Optional<String> refusal = authenticator.verify(request.method().name(), rawPath, request.query(),
                new RequestAuthenticator.Credentials(headers.get(RequestAuthenticator.TIMESTAMP_HEADER),
                        headers.get(RequestAuthenticator.REQUEST_ID_HEADER),
                        headers.get(RequestAuthenticator.AUTHORIZATION_HEADER)),
                body);
        if (refusal.isPresent()) {
            message(request, 401, "Authorization has been denied for this request: " + refusal.get() + ".", true);
            return;
        }
        route(request, rawPath, stripTrailingSlash(apiRel), body, plan);
    }

    private void route(HttpServerRequest request, String rawPath, String rel, byte[] body, Faults.Plan plan) {
        HttpMethod method = request.method();
        if (rel.equals("/notes")) {
            if (method == HttpMethod.POST) {
                createNote(request, body, plan);
            } else {
                methodNotAllowed(request, "POST");
            }
        } else if (rel.startsWith("/notes/issue/") && rel.indexOf('/', "/notes/issue/".length()) < 0) {
            if (method == HttpMethod.GET) {
                notesForIssue(request, rel.substring("/notes/issue/".length()));
            } else {
                methodNotAllowed(request, "GET");
            }
        } else if (rel.startsWith("/notes/") && rel.indexOf('/', "/notes/".length()) < 0) {
            if (method == HttpMethod.GET) {
                noteById(request, rel.substring("/notes/".length()));
            } else {
                methodNotAllowed(request, "GET");
            }
        } else {
            message(request, 404, "No HTTP resource was found that matches the request URI '" + rawPath + "'.", true);
        }
    }

    private void noteById(HttpServerRequest request, String idText) {
        long id = parseId(request, "noteID", idText);
        if (id <= 0) {
            return;
        }
        Optional<ReadNote> note = notes.get(id);
        if (note.isEmpty()) {
            message(request, 404, "No Note exists with NoteID " + id + ".", true);
            return;
        }
        json(request, 200, withMetadata(note.get(), metadata()));
    }

    private void notesForIssue(HttpServerRequest request, String issueText) {
        long issue = parseId(request, "issueNumber", issueText);
        if (issue <= 0) {
            return;
        }
        if (!settings.issueExists(issue)) {
            message(request, 400, "Issue " + issue + " does not exist.", true);
            return;
        }
        List<KeyValue> metadata = metadata();
        List<ReadNote> stored = notes.forIssue(issue);
        List<ReadNote> collection = new ArrayList<>(stored.size());
        for (ReadNote note : stored) {
            collection.add(withMetadata(note, metadata));
        }
        json(request, 200, new NotePage(true, 0, collection.size(), Integer.MAX_VALUE, collection.size(), collection));
    }

    private void createNote(HttpServerRequest request, byte[] body, Faults.Plan plan) {
        CreateNote note;
        try {
            note = json.readValue(body, CreateNote.class);
        } catch (JsonProcessingException e) {
            message(request, 400, "The request is invalid: the body is not a CreateNoteDTO JSON object ("
                    + e.getOriginalMessage() + ").", true);
            return;
        } catch (java.io.IOException e) {
            message(request, 400, "The request is invalid: unreadable body.", true);
            return;
        }
        String invalid = validate(note);
        if (invalid != null) {
            message(request, 400, invalid, true);
            return;
        }
        String traceparent = request.getHeader("traceparent");
        if (traceparent != null) {
            traceparents.put(note.issueNumber(), traceparent);
        }
        long slow = faults.issueLatencyMs(note.issueNumber());
        if (slow > 0) {
            vertx.setTimer(slow, timer -> store(request, note, plan));
        } else {
            store(request, note, plan);
        }
    }

    private void store(HttpServerRequest request, CreateNote note, Faults.Plan plan) {
        Faults.CreateOutcome outcome = Faults.createOutcome(plan);
        ReadNote stored = notes.create(note);
        switch (outcome) {
            case ANSWER -> created(request, stored.noteId());
            case DELAY -> {
                stats.delayedCreate();
                vertx.setTimer(plan.createThenDelayMs(), timer -> created(request, stored.noteId()));
            }
            case DROP -> {
                stats.dropped();
                request.connection().close();
            }
        }
    }

    private String validate(CreateNote note) {
        if (note == null) {
            return "The request is invalid: the body must be a CreateNoteDTO JSON object.";
        }
        if (!settings.issueExists(note.issueNumber())) {
            return note.issueNumber() == 0
                    ? "The request is invalid: IssueNumber is required."
                    : "IssueNumber " + note.issueNumber() + " does not correspond to an existing Issue.";
        }
        if (note.createdBy() == null || note.createdBy().isEmpty()) {
            return "The request is invalid: CreatedBy is required.";
        }
        if (!activeUsersLower.contains(note.createdBy().toLowerCase(Locale.ROOT))) {
            return "CreatedBy '" + note.createdBy() + "' does not reference an existing, active User.";
        }
        if (note.noteText() == null || note.noteText().isEmpty()) {
            return "The request is invalid: NoteText is required.";
        }
        if (note.createdDate() == null || note.createdDate().isBlank()) {
            return "The request is invalid: CreatedDate is required.";
        }
        try {
            DateTimeFormatter.ISO_DATE_TIME.parse(note.createdDate());
        } catch (DateTimeParseException e) {
            return "The request is invalid: CreatedDate '" + note.createdDate() + "' is not an ISO 8601 date and time.";
        }
        return null;
    }

    private void created(HttpServerRequest request, long noteId) {
        send(request, 201, JSON, Buffer.buffer(Long.toString(noteId)), true);
    }

    /**
     * Parses a positive 32-bit id from a path segment, or answers the error and returns -1: 422 when it is not
     * a number at all, 400 when it is a number Issuetrak cannot have.
     */
    private long parseId(HttpServerRequest request, String name, String text) {
        int start = text.startsWith("-") || text.startsWith("+") ? 1 : 0;
        boolean numeric = text.length() > start;
        for (int i = start; i < text.length() && numeric; i++) {
            char c = text.charAt(i);
            numeric = c >= '0' && c <= '9';
        }
        if (!numeric) {
            message(request, 422, "The " + name + " '" + text + "' is not a valid integer.", true);
            return -1;
        }
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException tooManyDigits) {
            value = Long.MAX_VALUE;
        }
        if (value <= 0 || value > Integer.MAX_VALUE) {
            message(request, 400, "The " + name + " must be a positive 32-bit integer; received '" + text + "'.", true);
            return -1;
        }
        return value;
    }

    private static List<KeyValue> metadata() {
        return List.of(new KeyValue("APIVersion", "v1"), new KeyValue("QueryDate", QUERY_DATE.format(Instant.now())));
    }

    private static ReadNote withMetadata(ReadNote note, List<KeyValue> metadata) {
        return new ReadNote(List.of(), metadata, note.noteId(), note.issueNumber(), note.createdDate(),
                note.createdBy(), note.modifiedBy(), note.modifiedDate(), note.noteText(), note.isPrivate(),
                note.isRichText());
    }

    // ------------------------------------------------------------------------------------------ admin

    private void admin(HttpServerRequest request, String rel, byte[] body) {
        HttpMethod method = request.method();
        switch (rel) {
            case "/faults" -> {
                if (method == HttpMethod.GET) {
                    json(request, 200, faultsJson(faults.current()), false);
                } else if (method == HttpMethod.PUT || method == HttpMethod.POST) {
                    putFaults(request, body);
                } else if (method == HttpMethod.DELETE) {
                    faults.reset();
                    LOG.info("Sandbox faults reset");
                    noContent(request);
                } else {
                    methodNotAllowed(request, "GET, PUT, DELETE", false);
                }
            }
            case "/api-key" -> {
                if (method == HttpMethod.PUT || method == HttpMethod.POST) {
                    String key = new String(body, java.nio.charset.StandardCharsets.UTF_8).trim();
                    if (key.isEmpty()) {
                        message(request, 400, "The body must be the API key text.", false);
                    } else {
                        authenticator.apiKey(ApiKey.of(key));
                        LOG.info("Sandbox API key changed");
                        noContent(request);
                    }
                } else {
                    methodNotAllowed(request, "PUT", false);
                }
            }
            case "/notes" -> {
                if (method == HttpMethod.GET) {
                    listNotes(request);
                } else if (method == HttpMethod.DELETE) {
                    notes.clear();
                    noContent(request);
                } else {
                    methodNotAllowed(request, "GET, DELETE", false);
                }
            }
            case "/stats" -> {
                if (method == HttpMethod.GET) {
                    json(request, 200, statsJson(), false);
                } else if (method == HttpMethod.DELETE) {
                    stats.reset();
                    noContent(request);
                } else {
                    methodNotAllowed(request, "GET, DELETE", false);
                }
            }
            default -> message(request, 404, "No sandbox admin endpoint '" + ADMIN_PATH + rel
                    + "'. Known: faults, api-key, notes, stats.", false);
        }
    }

    private void listNotes(HttpServerRequest request) {
        String issue = request.getParam("issue");
        if (issue == null) {
            json(request, 200, notes.all(), false);
            return;
        }
        try {
            json(request, 200, notes.forIssue(Long.parseLong(issue.trim())), false);
        } catch (NumberFormatException e) {
            message(request, 400, "issue must be a number, was '" + issue + "'.", false);
        }
    }

    private static final Set<String> FAULT_FIELDS = Set.of("latencyMs", "jitterMs", "unavailableForMs", "errorRate",
            "throttleRate", "throttleForMs", "retryAfterSeconds", "createThenDelayRate", "createThenDelayMs",
            "createThenDropRate");

    /** Merges: fields present replace the current value (null means 0), absent ones stay as they are. */
    private void putFaults(HttpServerRequest request, byte[] body) {
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (java.io.IOException e) {
            message(request, 400, "The body must be a JSON object of fault fields: " + FAULT_FIELDS, false);
            return;
        }
        if (node == null || !node.isObject()) {
            message(request, 400, "The body must be a JSON object of fault fields: " + FAULT_FIELDS, false);
            return;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FAULT_FIELDS.contains(name)) {
                message(request, 400, "Unknown fault field '" + name + "'. Known: " + FAULT_FIELDS, false);
                return;
            }
        }
        Faults.Plan p = faults.current();
        Faults.Plan next;
        try {
            Long unavailableFor = wholeNumber(node, "unavailableForMs", null);
            Long throttleFor = wholeNumber(node, "throttleForMs", null);
            next = new Faults.Plan(
                    wholeNumber(node, "latencyMs", p.latencyMs()),
                    wholeNumber(node, "jitterMs", p.jitterMs()),
                    unavailableFor == null ? p.unavailableUntilNanos() : Faults.deadline(Duration.ofMillis(unavailableFor)),
                    fraction(node, "errorRate", p.errorRate()),
                    fraction(node, "throttleRate", p.throttleRate()),
                    throttleFor == null ? p.throttleUntilNanos() : Faults.deadline(Duration.ofMillis(throttleFor)),
                    wholeNumber(node, "retryAfterSeconds", p.retryAfterSeconds()),
                    fraction(node, "createThenDelayRate", p.createThenDelayRate()),
                    wholeNumber(node, "createThenDelayMs", p.createThenDelayMs()),
                    fraction(node, "createThenDropRate", p.createThenDropRate()));
        } catch (IllegalArgumentException e) {
            message(request, 400, e.getMessage(), false);
            return;
        }
        faults.set(next);
        LOG.infof("Sandbox faults now %s", faultsJson(next));
        json(request, 200, faultsJson(next), false);
    }

    private static Long wholeNumber(JsonNode node, String name, Long current) {
        JsonNode value = node.get(name);
        if (value == null) {
            return current;
        }
        if (value.isNull()) {
            return 0L;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException(name + " must be a whole number, was " + value);
        }
        return value.longValue();
    }

    private static double fraction(JsonNode node, String name, double current) {
        JsonNode value = node.get(name);
        if (value == null) {
            return current;
        }
        if (value.isNull()) {
            return 0;
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException(name + " must be a number between 0 and 1, was " + value);
        }
        return value.doubleValue();
    }

    private ObjectNode faultsJson(Faults.Plan p) {
        ObjectNode node = json.createObjectNode();
        node.put("latencyMs", p.latencyMs());
        node.put("jitterMs", p.jitterMs());
        node.put("unavailableForMs", p.unavailableRemainingMs());
        node.put("errorRate", p.errorRate());
        node.put("throttleRate", p.throttleRate());
        node.put("throttleForMs", p.throttleRemainingMs());
        node.put("retryAfterSeconds", p.retryAfterSeconds());
        node.put("createThenDelayRate", p.createThenDelayRate());
        node.put("createThenDelayMs", p.createThenDelayMs());
        node.put("createThenDropRate", p.createThenDropRate());
        return node;
    }

    private ObjectNode statsJson() {
        ObjectNode node = json.createObjectNode();
        ObjectNode byStatus = node.putObject("requests");
        long total = 0;
        for (Map.Entry<Integer, Long> e : stats.byStatus().entrySet()) {
            byStatus.put(Integer.toString(e.getKey()), e.getValue());
            total += e.getValue();
        }
        node.put("requestsTotal", total);
        node.put("droppedConnections", stats.droppedConnections());
        node.put("delayedCreates", stats.delayedCreates());
        node.put("notesCreated", notes.createdCount());
        node.put("notesStored", notes.size());
        node.put("rememberedRequestIds", authenticator.rememberedRequestIds());
        return node;
    }

    // -------------------------------------------------------------------------------------- responses

    private void json(HttpServerRequest request, int status, Object value) {
        json(request, status, value, true);
    }

    private void json(HttpServerRequest request, int status, Object value, boolean api) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            LOG.error("Sandbox could not serialize a response", e);
            message(request, 500, "An error has occurred.", api);
            return;
        }
        send(request, status, JSON, Buffer.buffer(bytes), api);
    }

    /** Issuetrak's (ASP.NET Web API's) error shape: {"Message": "..."}. */
    private void message(HttpServerRequest request, int status, String text, boolean api) {
        ObjectNode node = json.createObjectNode().put("Message", text);
        if (api && faults.echoRequests()) {
            StringBuilder echo = new StringBuilder(text).append(" Request: ").append(request.method()).append(' ')
                    .append(request.uri());
            request.headers().forEach(h -> echo.append("; ").append(h.getKey()).append(": ").append(h.getValue()));
            node.put("Message", echo.toString());
        }
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            bytes = "{\"Message\":\"An error has occurred.\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        send(request, status, JSON, Buffer.buffer(bytes), api);
    }

    private void methodNotAllowed(HttpServerRequest request, String allowed) {
        methodNotAllowed(request, allowed, true);
    }

    private void methodNotAllowed(HttpServerRequest request, String allowed, boolean api) {
        request.response().putHeader(HttpHeaders.ALLOW, allowed);
        message(request, 405, "The requested resource does not support http method '" + request.method().name()
                + "'.", api);
    }

    private void noContent(HttpServerRequest request) {
        send(request, 204, TEXT, Buffer.buffer(0), false);
    }

    private void send(HttpServerRequest request, int status, String contentType, Buffer body, boolean api) {
        HttpServerResponse response = request.response();
        if (response.closed() || response.ended()) {
            // The client gave up (timeout) while we were "busy": nothing to answer to.
            return;
        }
        // Counted before the answer leaves: a client may act on it (read /stats) on another event loop at once.
        if (api) {
            stats.answered(status);
        }
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, contentType).end(body);
    }
}
