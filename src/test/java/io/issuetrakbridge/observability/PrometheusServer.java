package io.issuetrakbridge.observability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real Prometheus (the Debian package's {@code prometheus} binary) as an OS process on a free port with a
 * storage directory of its own, scraping one target every second and evaluating the given rule files.
 */
final class PrometheusServer implements AutoCloseable {

    static final String JOB = "issuetrak-bridge";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path log;
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusServer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.base = URI.create("http://127.0.0.1:" + port);
    }

    /** Whether {@code prometheus} is on the PATH. */
    static boolean installed() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "prometheus"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param target {@code host:port} of the bridge's management interface, scraped at {@code /q/metrics}
     */
    static PrometheusServer start(Path dir, String target, Path... ruleFiles) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String rules = List.of(ruleFiles).stream().map(f -> "  - '" + f.toAbsolutePath() + "'")
                .collect(Collectors.joining("\n"));
        Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                %s
                scrape_configs:
                  - job_name: %s
                    metrics_path: /q/metrics
                    static_configs:
                      - targets: ['%s']
                """.formatted(rules, JOB, target));
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder("prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new PrometheusServer(process, log, port);
    }

    /** GET {@code /api/v1/<path>} with the query parameters; the answer's {@code data}, or an error naming why. */
    JsonNode api(String path, Map<String, String> params) {
        String query = params.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/" + path
                    + (query.isEmpty() ? "" : "?" + query))).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            if (!body.path("status").asText().equals("success")) {
                throw new PrometheusError(body.path("errorType").asText() + ": " + body.path("error").asText());
            }
            return body.path("data");
        } catch (IOException e) {
            throw new UncheckedIOException("Prometheus at " + base + " (log: " + log + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An instant query's result vector. */
    List<JsonNode> query(String expression) {
        List<JsonNode> result = new ArrayList<>();
        api("query", Map.of("query", expression)).path("result").forEach(result::add);
        return result;
    }

    /** Whether the scrape target is up. */
    boolean targetUp() {
        try {
            JsonNode targets = api("targets", Map.of()).path("activeTargets");
            return targets.size() == 1 && targets.get(0).path("health").asText().equals("up");
        } catch (UncheckedIOException notListeningYet) {
            return false;
        }
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Prometheus refused a request (a query that does not parse or evaluate). */
    static final class PrometheusError extends RuntimeException {
        PrometheusError(String message) {
            super(message);
        }
    }
}
