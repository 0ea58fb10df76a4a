package io.issuetrakbridge.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The packaged application (target/quarkus-app, what the JVM image ships) holds none of the
 * dev-mode-only pieces: the local Kafka broker and the Dev UI; and the README's standalone sandbox runs from it.
 */
class ProductionArtifactIT {

    private static List<String> jars() throws IOException {
        Path lib = Path.of("target", "quarkus-app", "lib");
        assertThat(lib).as("run `./mvnw package` first").isDirectory();
        try (Stream<Path> files = Files.walk(lib)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).toList();
        }
    }

    @Test
    void theBrokerJarsAreNotShipped() throws IOException {
        List<String> jars = jars();
        assertThat(jars).as("the messaging client is shipped").anyMatch(n -> n.contains("kafka-clients"));
        assertThat(jars).noneMatch(n -> n.contains("kafka_2.13") || n.contains("kafka-server")
                || n.contains("kafka-raft") || n.contains("kafka-metadata") || n.contains("kafka-storage")
                || n.contains("kafka-group-coordinator") || n.contains("scala-library"));
    }

    @Test
    void theDevUiIsNotShipped() throws IOException {
        assertThat(jars()).noneMatch(n -> n.contains("quarkus-devui"));
    }

    @Test
    void theReadmesStandaloneSandboxCommandRunsFromThePackagedApplication() throws Exception {
        jars();
        // README, "Run": after ./mvnw package, this class path (verbatim) and SandboxMain, on a free port.
        String classPath = "target/quarkus-app/lib/boot/*:target/quarkus-app/lib/main/*:target/quarkus-app/app/*";
        Process sandbox = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                classPath, "io.issuetrakbridge.sandbox.SandboxMain", "--port=0",
                "--api-key=dGVzdC1vbmx5LWtleS1ub3QtYS1zZWNyZXQtMzJieXQ=", "--latency-ms=20")
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(sandbox.getInputStream(), StandardCharsets.UTF_8))) {
            List<String> seen = new ArrayList<>();
            String port = null;
            for (String line = out.readLine(); line != null && port == null; line = out.readLine()) {
                seen.add(line);
                if (line.startsWith("sandbox.port=")) {
                    port = line.substring("sandbox.port=".length());
                }
            }
            assertThat(port).as("SandboxMain's output: %s", seen).isNotNull();
            HttpResponse<String> stats = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/sandbox/admin/stats")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(stats.statusCode()).isEqualTo(200);
            assertThat(stats.body()).contains("\"requestsTotal\":0");
        } finally {
            sandbox.destroy();
            sandbox.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
