package io.issuetrakbridge.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The packaged application (target/quarkus-app, what the JVM image ships) holds none of the
 * dev-mode-only pieces: the local Kafka broker and the Dev UI.
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
}
