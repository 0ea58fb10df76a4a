package io.issuetrakbridge.sandbox;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.issuetrakbridge.config.BudgetRule;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * Issuetrak's rate limits, read literally: a rule {@code LIMIT/WINDOW} refuses a request, with 429 and
 * {@code Retry-After}, when {@code LIMIT} requests it counts have already arrived within the last {@code WINDOW}
 * (a sliding window: the strictest way to read the table, so a client that stays inside it stays inside any
 * other reading). A refused request is not counted. Rules on writes count only POST, PUT and DELETE.
 * <p>
 * A link of the API chain, right after counting: requests are counted on arrival, before latency and faults. An
 * outside client ({@link #outsidePerSecond(double)}) can take part of the same budget, as the help desk's other
 * API users would. Settable at start ({@code sandbox.rate-limits}, {@code --rate-limits=20/1s,5/1s/writes}) and at
 * run time: {@code GET/PUT/DELETE /sandbox/admin/rate-limits}, PUT taking {@code {"rules": ["20/1s"],
 * "outsidePerSecond": 5}} (fields present replace, rules reset the counts).
 */
public final class RateLimits implements Handler<RoutingContext> {

    private static final Logger LOG = Logger.getLogger(RateLimits.class);

    private final Vertx vertx;
    private final Responses responses;
    private List<Window> windows = List.of();
    private double outsidePerSecond;
    private long outsideTimer = -1;
    private long outsideAdmitted;
    private long outsideRefused;

    RateLimits(Vertx vertx, Responses responses) {
        this.vertx = vertx;
        this.responses = responses;
    }

    /** One rule's sliding window: the arrival times of the requests it counted, oldest first (a ring). */
    private static final class Window {
        private final BudgetRule rule;
        private final long[] arrivals;
        private int oldest;
        private int size;
        private long admitted;
        private long throttled;
        private int peak;

        Window(BudgetRule rule) {
            this.rule = rule;
            this.arrivals = new long[(int) Math.min(rule.limit(), 10_000_000)];
        }

        /** Nanoseconds until the rule has room, 0 when it has room now. */
        long nanosUntilRoom(long now) {
            long windowNanos = rule.window().toNanos();
            while (size > 0 && now - arrivals[oldest] >= windowNanos) {
                oldest = (oldest + 1) % arrivals.length;
                size--;
            }
            return size < arrivals.length ? 0 : arrivals[oldest] + windowNanos - now;
        }

        void count(long now) {
            arrivals[(oldest + size) % arrivals.length] = now;
            size++;
            admitted++;
            peak = Math.max(peak, size);
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpMethod method = ctx.request().method();
        long wait = admit(method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.DELETE);
        if (wait == 0) {
            ctx.next();
            return;
        }
        // Whole seconds, rounded up, as HTTP writes it: a client that waits this long finds room.
        ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString((wait + 999_999_999) / 1_000_000_000));
        responses.message(ctx, 429, "Too many requests. Try again later.");
    }

    /** Counts a request against every rule it falls under, or none: 0 if admitted, else nanoseconds to wait. */
    private synchronized long admit(boolean write) {
        long now = System.nanoTime();
        long wait = 0;
        for (Window w : windows) {
            if (write || !w.rule.writesOnly()) {
                long ruleWait = w.nanosUntilRoom(now);
                if (ruleWait > 0) {
                    w.throttled++;
                    wait = Math.max(wait, ruleWait);
                }
            }
        }
        if (wait == 0) {
            for (Window w : windows) {
                if (write || !w.rule.writesOnly()) {
                    w.count(now);
                }
            }
        }
        return wait;
    }

    /** Enforces these rules from now on, with fresh counts; an empty list lifts every limit. */
    public synchronized void rules(List<BudgetRule> rules) {
        windows = rules.stream().map(Window::new).toList();
        outsideAdmitted = 0;
        outsideRefused = 0;
        LOG.infof("Sandbox rate limits now %s", rules);
    }

    /** The rules enforced now. */
    public synchronized List<BudgetRule> rules() {
        return windows.stream().map(w -> w.rule).toList();
    }

    /**
     * An outside API user spends this many requests a second (reads) of the same budget from now on; 0 stops it.
     * Its refused requests are counted apart from the API's ({@link #outside()}).
     */
    public synchronized void outsidePerSecond(double perSecond) {
        if (perSecond < 0 || perSecond > 1000) {
            throw new IllegalArgumentException("outsidePerSecond must be between 0 and 1000, was " + perSecond);
        }
        if (outsideTimer >= 0) {
            vertx.cancelTimer(outsideTimer);
            outsideTimer = -1;
        }
        outsidePerSecond = perSecond;
        if (perSecond > 0) {
            outsideTimer = vertx.setPeriodic(Math.max(1, Math.round(1000 / perSecond)), id -> outsideRequest());
        }
    }

    private synchronized void outsideRequest() {
        if (admit(false) == 0) {
            outsideAdmitted++;
        } else {
            outsideRefused++;
        }
    }

    /** What a rule saw since it was set: requests counted, refused, and the most it ever held in one window. */
    public record RuleStats(long admitted, long throttled, int peakInWindow) {
    }

    /** Per rule, as written ({@code 20/1s}), in the configured order. */
    public synchronized Map<String, RuleStats> stats() {
        Map<String, RuleStats> stats = new LinkedHashMap<>();
        windows.forEach(w -> stats.put(w.rule.name(), new RuleStats(w.admitted, w.throttled, w.peak)));
        return stats;
    }

    /** The outside client's requests: admitted and refused. */
    public synchronized long[] outside() {
        return new long[] { outsideAdmitted, outsideRefused };
    }

    /** Stops the outside client. */
    void close() {
        outsidePerSecond(0);
    }

    /** {@code rate-limits}: GET, PUT (or POST), DELETE. */
    void admin(RoutingContext ctx) {
        HttpMethod method = ctx.request().method();
        if (method == HttpMethod.DELETE) {
            rules(List.of());
            outsidePerSecond(0);
            responses.noContent(ctx);
            return;
        }
        if (method == HttpMethod.PUT || method == HttpMethod.POST) {
            try {
                JsonNode body = responses.mapper().readTree(SandboxRouter.body(ctx));
                if (body == null || !body.isObject()) {
                    throw new IllegalArgumentException("The body must be a JSON object: rules, outsidePerSecond");
                }
                JsonNode rules = body.get("rules");
                if (rules != null) {
                    List<BudgetRule> parsed = new ArrayList<>();
                    rules.forEach(r -> parsed.add(BudgetRule.parse(r.asText())));
                    rules(parsed);
                }
                JsonNode outside = body.get("outsidePerSecond");
                if (outside != null) {
                    outsidePerSecond(outside.asDouble());
                }
            } catch (java.io.IOException | IllegalArgumentException e) {
                responses.message(ctx, 400, e.getMessage());
                return;
            }
        } else if (method != HttpMethod.GET) {
            responses.methodNotAllowed(ctx, "GET, PUT, DELETE");
            return;
        }
        responses.json(ctx, 200, render());
    }

    private synchronized ObjectNode render() {
        ObjectNode node = responses.mapper().createObjectNode();
        node.putPOJO("rules", rules().stream().map(BudgetRule::name).toList());
        node.put("outsidePerSecond", outsidePerSecond);
        ObjectNode byRule = node.putObject("byRule");
        stats().forEach((name, s) -> byRule.putObject(name).put("admitted", s.admitted()).put("throttled", s.throttled())
                .put("peakInWindow", s.peakInWindow()));
        long[] outside = outside();
        node.putObject("outside").put("admitted", outside[0]).put("refused", outside[1]);
        return node;
    }

    /** Parses {@code 20/1s,5/1s/writes}; blank means none. */
    public static List<BudgetRule> parse(String rules) {
        return rules == null || rules.isBlank() ? List.of()
                : Arrays.stream(rules.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(BudgetRule::parse)
                        .toList();
    }
}
