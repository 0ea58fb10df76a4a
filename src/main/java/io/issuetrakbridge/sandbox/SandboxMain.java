package io.issuetrakbridge.sandbox;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.issuetrakbridge.config.ApiKey;
import io.issuetrakbridge.config.BudgetRule;
import io.vertx.core.VertxOptions;
import io.vertx.mutiny.core.Vertx;

/**
 * Runs the sandbox as its own process, so that a benchmark can measure the bridge without the sandbox
 * competing for the same JVM:
 *
 * <pre>
 * java -cp target/quarkus-app/lib/boot/*:target/quarkus-app/lib/main/*:target/quarkus-app/app/* \
 *      -Dsandbox.port=0 -Dsandbox.api-key=KEY -Dsandbox.latency-ms=20 io.issuetrakbridge.sandbox.SandboxMain
 * </pre>
 *
 * Settings come from {@code sandbox.*} system properties, or from arguments {@code --port=0 --api-key=KEY ...}
 * (arguments win); the key may also come from the environment as {@code SANDBOX_API_KEY}. Keys: host, port
 * (default 8089, 0 for a free one), path-prefix, api-key (required), active-users (comma-separated),
 * min-issue, max-issue, max-clock-skew (e.g. 5m, 30s, PT5M), tls-cert-pem, tls-key-pem, time-zone (a java.time
 * zone ID, default America/St_Johns, see {@link SandboxSettings#DEFAULT_TIME_ZONE}), latency-ms, jitter-ms,
 * workers (default 0, no limit), queue-limit (default 1000), event-loops (default 1), rate-limits (Issuetrak's rules, e.g.
 * 20/1s,5/1s/writes; see {@link RateLimits}).
 *
 * <p>Prints {@code sandbox.port=<port>} and {@code sandbox.base-url=<url>} on stdout once listening, for
 * scripts to read.
 */
public final class SandboxMain {

    private SandboxMain() {
    }

    public static void main(String[] args) {
        Map<String, String> options;
        SandboxSettings settings;
        try {
            options = options(args);
            settings = settings(options);
        } catch (IllegalArgumentException e) {
            System.err.println("sandbox: " + e.getMessage());
            System.exit(2);
            return;
        }
        int eventLoops = Integer.parseInt(options.getOrDefault("event-loops", "1"));
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
        SandboxServer server = SandboxServer.start(vertx, settings).await().atMost(Duration.ofSeconds(30));
        long latencyMs = Long.parseLong(options.getOrDefault("latency-ms", "0"));
        long jitterMs = Long.parseLong(options.getOrDefault("jitter-ms", "0"));
        server.faults().latency(Duration.ofMillis(latencyMs), Duration.ofMillis(jitterMs));
        server.rateLimits().rules(RateLimits.parse(options.get("rate-limits")));
        server.workers().configure(new WorkerPool.Settings(Integer.parseInt(options.getOrDefault("workers", "0")),
                Integer.parseInt(options.getOrDefault("queue-limit",
                        Integer.toString(WorkerPool.DEFAULT_QUEUE_LIMIT)))));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close().await().atMost(Duration.ofSeconds(5));
            vertx.closeAndAwait();
        }, "sandbox-shutdown"));
        System.out.println("sandbox.port=" + server.port());
        System.out.println("sandbox.base-url=" + server.baseUrl());
        System.out.flush();
        // Vert.x's event-loop threads keep the JVM alive until SIGTERM/SIGINT.
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        System.getProperties().forEach((k, v) -> {
            String key = k.toString();
            if (key.startsWith("sandbox.")) {
                options.put(key.substring("sandbox.".length()), v.toString());
            }
        });
        String envKey = System.getenv("SANDBOX_API_KEY");
        if (envKey != null && !envKey.isBlank()) {
            options.putIfAbsent("api-key", envKey);
        }
        for (String arg : args) {
            String a = arg.startsWith("--") ? arg.substring(2) : arg;
            a = a.startsWith("sandbox.") ? a.substring("sandbox.".length()) : a;
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("arguments look like --port=8089, got '" + arg + "'");
            }
            options.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return options;
    }

    static SandboxSettings settings(Map<String, String> o) {
        String key = o.get("api-key");
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("sandbox.api-key is required (or --api-key=..., or SANDBOX_API_KEY)");
        }
        SandboxSettings defaults = SandboxSettings.defaults(ApiKey.of(key.trim()));
        Set<String> users = o.containsKey("active-users")
                ? new LinkedHashSet<>(Arrays.stream(o.get("active-users").split(",")).map(String::trim)
                        .filter(s -> !s.isEmpty()).toList())
                : defaults.activeUsers();
        return new SandboxSettings(
                o.getOrDefault("host", defaults.host()),
                Integer.parseInt(o.getOrDefault("port", "8089")),
                o.getOrDefault("path-prefix", ""),
                defaults.apiKey(),
                users,
                Long.parseLong(o.getOrDefault("min-issue", Long.toString(defaults.minIssue()))),
                Long.parseLong(o.getOrDefault("max-issue", Long.toString(defaults.maxIssue()))),
                o.containsKey("max-clock-skew") ? duration(o.get("max-clock-skew")) : defaults.maxClockSkew(),
                Optional.ofNullable(o.get("tls-cert-pem")).map(Path::of),
                Optional.ofNullable(o.get("tls-key-pem")).map(Path::of),
                o.containsKey("time-zone") ? zone(o.get("time-zone")) : defaults.timeZone());
    }

    private static ZoneId zone(String id) {
        try {
            return ZoneId.of(id.trim());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("sandbox.time-zone is not a time zone ID: '" + id
                    + "' (e.g. America/St_Johns, Pacific/Kiritimati, UTC)");
        }
    }

    /** Accepts the forms Quarkus config accepts: ISO-8601 (PT5M), or a number with ms, s, m, h or d. */
    static Duration duration(String text) {
        return BudgetRule.duration(text);
    }
}
