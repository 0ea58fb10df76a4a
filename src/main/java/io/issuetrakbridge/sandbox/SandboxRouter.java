package io.issuetrakbridge.sandbox;

import java.util.List;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Which handler answers which request. Paths match case-insensitively and with or without a trailing slash, as
 * IIS does. Every request outside the admin endpoints is counted; every request on an API route then goes through
 * the same chain of gates before its operation:
 *
 * <pre>
 * admin route? --yes--> AdminApi (unsigned, not counted)
 * counting (stats)
 * API route? --no--> 404, IIS's HTML page, before any signature check
 *    | yes
 * (creates only) the body recorded (CreateRequests)
 * rate limits (429) -> workers (queue, 503 when full) -> faults (latency, 403/503/429/500/HTML 5xx) -> authentication (401) -> method check (405) -> operation
 * </pre>
 *
 * {@link #apiGates()} is the one place to insert a further request policy (a rate limit, a queueing model):
 * a gate either answers the request itself or calls {@link RoutingContext#next()}. Faults come before
 * authentication because in a real deployment they come from the load balancer, IIS or the app pool, not from
 * Issuetrak's handlers.
 */
final class SandboxRouter {

    private static final Logger LOG = Logger.getLogger(SandboxRouter.class);
    private static final int MAX_BODY_BYTES = 8 * 1024 * 1024;
    private static final byte[] NO_BODY = new byte[0];
    private static final String API_PATH = "/api/v1";

    private final String prefix;
    private final RequestCounting counting;
    private final CreateRequests creates;
    private final RateLimits rateLimits;
    private final WorkerPool workers;
    private final FaultInjection faults;
    private final Authentication authentication;
    private final NotesApi notes;
    private final AdminApi admin;
    private final Responses apiResponses;

    SandboxRouter(String prefix, RequestCounting counting, CreateRequests creates, RateLimits rateLimits, WorkerPool workers, FaultInjection faults,
            Authentication authentication, NotesApi notes, AdminApi admin, Responses apiResponses) {
        this.rateLimits = rateLimits;
        this.prefix = prefix;
        this.counting = counting;
        this.creates = creates;
        this.workers = workers;
        this.faults = faults;
        this.authentication = authentication;
        this.notes = notes;
        this.admin = admin;
        this.apiResponses = apiResponses;
    }

    /** The request's body as received (BodyHandler has read it whole), empty when there was none. */
    static byte[] body(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        return body == null ? NO_BODY : body.getBytes();
    }

    Router build(Vertx vertx) {
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));

        String adminRoot = "(?:" + Pattern.quote(prefix) + ")?" + Pattern.quote(SandboxServer.ADMIN_PATH);
        adminRoute(router, adminRoot + "/faults", admin::faults);
        adminRoute(router, adminRoot + "/api-key", admin::apiKey);
        adminRoute(router, adminRoot + "/notes", admin::notes);
        adminRoute(router, adminRoot + "/stats", admin::stats);
        adminRoute(router, adminRoot + "/held", admin::held);
        adminRoute(router, adminRoot + "/held/release", admin::releaseHeld);
        adminRoute(router, adminRoot + "/creates", admin::creates);
        adminRoute(router, adminRoot + "/rate-limits", rateLimits::admin);
        adminRoute(router, adminRoot + "/workers", workers::admin);
        router.routeWithRegex("(?i)" + adminRoot + "(?:/.*)?").handler(admin::unknown);

        router.route().handler(counting);
        String apiRoot = Pattern.quote(prefix + API_PATH);
        // A create is recorded before any gate can refuse it: a test compares what each try sent.
        apiRoute(router, apiRoot + "/notes", List.of(creates), only(HttpMethod.POST, notes::createNote));
        apiRoute(router, apiRoot + "/notes/issue/([^/]+)", List.of(), only(HttpMethod.GET, notes::notesForIssue));
        apiRoute(router, apiRoot + "/notes/([^/]+)", List.of(), only(HttpMethod.GET, notes::noteById));
        // No application serves the path: IIS answers it itself, so neither the faults of the application nor
        // its signature check apply (a wrong base URL shows as a 404, not as a 401).
        router.route().handler(ctx -> apiResponses.html(ctx, 404, ErrorPages.notFound()));
        router.errorHandler(413, ctx -> apiResponses.message(ctx, 413,
                "The request body exceeds " + MAX_BODY_BYTES + " bytes."));
        router.errorHandler(500, ctx -> {
            LOG.error("Sandbox failed to answer " + ctx.request().method() + " " + ctx.request().path(), ctx.failure());
            apiResponses.message(ctx, 500, "An error has occurred.");
        });
        return router;
    }

    /**
     * The gates every API request passes, in order, before its operation. Insert a new request policy here.
     */
    private List<Handler<RoutingContext>> apiGates() {
        // Rate limits first: a refused request holds no worker. Workers before faults: a request holds its worker
        // through the latency, which is its service time.
        return List.of(rateLimits, workers, faults, authentication);
    }

    private void apiRoute(Router router, String pathRegex, List<Handler<RoutingContext>> before,
            Handler<RoutingContext> operation) {
        Route route = router.routeWithRegex("(?i)" + pathRegex + "/?");
        before.forEach(route::handler);
        apiGates().forEach(route::handler);
        route.handler(operation);
    }

    private static void adminRoute(Router router, String pathRegex, Handler<RoutingContext> endpoint) {
        router.routeWithRegex("(?i)" + pathRegex + "/?").handler(endpoint);
    }

    private Handler<RoutingContext> only(HttpMethod method, Handler<RoutingContext> operation) {
        return ctx -> {
            if (ctx.request().method() == method) {
                operation.handle(ctx);
            } else {
                apiResponses.methodNotAllowed(ctx, method.name());
            }
        };
    }
}
