package io.issuetrakbridge.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.common.utils.Time;

import io.issuetrakbridge.config.DevConfig;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;

/**
 * A real single-node KRaft broker for {@code ./mvnw quarkus:dev}, so the local run needs nothing but
 * a JDK. Dev profile only: the bean is removed from any other build, and kafka_2.13 is a provided
 * dependency, absent from target/quarkus-app and the native image (the build checks both).
 * <p>
 * It outlives live reloads: dev mode restarts the application, not the JVM, so the broker is
 * started once per JVM (a running listener on the port is taken as ours, or as a broker the
 * developer started) and stopped by a JVM shutdown hook when dev mode exits.
 */
@ApplicationScoped
@IfBuildProfile("dev")
public class DevKafkaBroker {

    private static final String CLUSTER_ID = "issuetrak-bridge-dev0";

    private final int port;
    private final Path dataDir;

    public DevKafkaBroker(DevConfig config) {
        this.port = config.kafkaPort();
        this.dataDir = config.kafkaData();
    }

    // Before the messaging connector wires its channels and the consumer starts polling.
    void start(@Observes @Priority(10) StartupEvent event) throws Exception {
        if (listening(port)) {
            Log.infof("Dev Kafka: a broker already listens on localhost:%d, using it", port);
            return;
        }
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.bootstrap.servers", "localhost:" + (port + 1));
        props.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + (port + 1));
        props.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", dataDir.resolve("data").toAbsolutePath().toString());
        // One node: the internal topics cannot have the default three replicas.
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // Auto-created dev topics get the production layout: commands and ledger co-partitioned.
        props.put("num.partitions", "6");

        Files.createDirectories(dataDir);
        Path file = dataDir.resolve("server.properties");
        try (Writer out = Files.newBufferedWriter(file)) {
            props.store(out, "issuetrak-bridge dev broker");
        }
        ByteArrayOutputStream formatLog = new ByteArrayOutputStream();
        int rc = StorageTool.execute(new String[] { "format", "--cluster-id", CLUSTER_ID, "--config", file.toString(),
                "--standalone", "--ignore-formatted" }, new PrintStream(formatLog, true, StandardCharsets.UTF_8));
        if (rc != 0) {
            throw new IllegalStateException("Dev Kafka: formatting " + dataDir + " failed: " + formatLog);
        }
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        server.startup();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }, "dev-kafka-stop"));
        Log.infof("Dev Kafka: broker started on localhost:%d (data in %s)", port, dataDir);
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
