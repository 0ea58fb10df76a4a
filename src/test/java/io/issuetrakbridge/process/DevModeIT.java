package io.issuetrakbridge.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first run, {@code ./mvnw compile quarkus:dev}, as a new user gets it, on a copy of the project (so
 * dev mode's recompiles never touch this build's target/) and on free ports instead of the dev profile's fixed ones:
 * the dev broker's INFO logging stays off the console, every topic the bridge uses exists with six partitions before
 * the first command, and one {@code q} stops dev mode, twice in a row, without an ERROR (the consumer leaves the
 * group before the dev broker stops).
 */
class DevModeIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final List<String> TOPICS = List.of("issuetrak.notes.commands", "issuetrak.notes.ledger",
            "issuetrak.notes.replies", "issuetrak.notes.errors", "issuetrak.notes.dlq");

    @TempDir
    Path work;

    @Test
    void aFirstRunIsQuietHasItsTopicsAndStopsWithOneQTwiceInARow() throws Exception {
        Path project = copyProject(work.resolve("project"));
        int kafka = freePortPair();
        int management = freePort();
        List<String> command = new ArrayList<>(List.of(project.resolve("mvnw").toString(), "-B", "quarkus:dev",
                "-Ddebug=false", "-Dquarkus.http.port=" + freePort(), "-Dquarkus.management.port=" + management,
                "-Dbridge.dev.kafka-port=" + kafka, "-Dkafka.bootstrap.servers=localhost:" + kafka,
                "-Dbridge.dev.kafka-data=" + work.resolve("dev-kafka")));
        int sandbox = freePort();
        command.addAll(List.of("-Dsandbox.port=" + sandbox, "-Dissuetrak.base-url=http://127.0.0.1:" + sandbox));
        if ("offline=true".equals(System.getProperty("it.maven.settings"))) {
            command.add("-o");
        }

        for (int run = 1; run <= 2; run++) {
            Path log = work.resolve("dev-" + run + ".log");
            Process dev = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            try {
                Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                        .failFast("dev mode ended", () -> !dev.isAlive())
                        .until(() -> ready(management));

                if (run == 1) {
                    assertTopicsExist(kafka);
                }
                // One key press, as a user at the console: dev mode reads it from stdin.
                try (OutputStream keys = dev.getOutputStream()) {
                    keys.write('q');
                    keys.flush();
                }
                assertThat(dev.waitFor(2, TimeUnit.MINUTES)).as("dev mode stopped by one 'q' (run %d)", run).isTrue();
            } finally {
                dev.destroyForcibly();
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            assertThat(lines).as("run %d's console", run).anyMatch(line -> line.contains("Profile dev activated"))
                    .anyMatch(line -> line.contains("issuetrak-bridge stopped in"))
                    .noneMatch(line -> line.contains(" ERROR ") || line.contains("LeaveGroup"))
                    // The dev broker and the Kafka clients log at WARN: none of their INFO lines.
                    .noneMatch(line -> line.matches(".* INFO +\\[(kafka|org\\.apache\\.kafka|state\\.change\\.logger)[.\\]].*"));
        }
    }

    private static void assertTopicsExist(int kafka) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + kafka))) {
            Map<String, TopicDescription> topics = admin.describeTopics(TOPICS).allTopicNames().get(30, TimeUnit.SECONDS);
            assertThat(topics).containsOnlyKeys(TOPICS);
            topics.forEach((name, topic) -> assertThat(topic.partitions()).as(name).hasSize(6));
            ConfigResource ledger = new ConfigResource(ConfigResource.Type.TOPIC, "issuetrak.notes.ledger");
            assertThat(admin.describeConfigs(List.of(ledger)).all().get(30, TimeUnit.SECONDS).get(ledger)
                    .get("cleanup.policy").value()).isEqualTo("compact,delete");
        }
    }

    private static boolean ready(int management) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + management + "/q/health/ready")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** What a user clones and runs dev mode from: the build, the wrapper and the main sources. */
    private static Path copyProject(Path target) throws IOException {
        Path root = Path.of("").toAbsolutePath();
        for (String entry : List.of("pom.xml", "mvnw", ".mvn", "src/main")) {
            Path from = root.resolve(entry);
            try (Stream<Path> files = Files.walk(from)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Path to = target.resolve(root.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(to);
                    } else {
                        Files.createDirectories(to.getParent());
                        Files.copy(file, to, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        }
        return target;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A free port whose next port is free too: the dev broker's controller listens on port + 1. */
    private static int freePortPair() {
        for (int tries = 0; tries < 50; tries++) {
            int port = freePort();
            try (ServerSocket next = new ServerSocket(port + 1)) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no two adjacent free ports");
    }
}
