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
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.utils.Time;

import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.config.DevConfig;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.dev.appstate.ApplicationStateNotification;
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
    /** The production layout (deploy/kafka-topics.yaml): commands and ledger must have the same count. */
    private static final int PARTITIONS = 6;

    private final int port;
    private final Path dataDir;
    private final BridgeConfig.Topics topics;
    private final Duration ledgerRetention;
    /** The bridge's own drain plus time for its clients to close. */
    private final Duration stopWait;

    public DevKafkaBroker(DevConfig config, BridgeConfig bridge) {
        this.port = config.kafkaPort();
        this.dataDir = config.kafkaData();
        this.topics = bridge.topics();
        this.ledgerRetention = bridge.ledger().retention();
        this.stopWait = bridge.shutdownGrace().plusSeconds(30);
    }

    // Before the messaging connector wires its channels and the consumer starts polling.
    void start(@Observes @Priority(10) StartupEvent event) throws Exception {
        if (listening(port)) {
            Log.infof("Dev Kafka: a broker already listens on localhost:%d, using it", port);
            createTopics();
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
        // Topics auto-created later (a requester's reply topic) get the production layout too.
        props.put("num.partitions", Integer.toString(PARTITIONS));

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
            awaitApplicationStop();
            server.shutdown();
            server.awaitShutdown();
        }, "dev-kafka-stop"));
        Log.infof("Dev Kafka: broker started on localhost:%d (data in %s)", port, dataDir);
        createTopics();
    }

    /**
     * Creates every topic the bridge uses before it starts, so that a reply consumer started right after
     * the first command finds its topic, and so that the ledger is created with the commands topic's
     * partition count rather than auto-created later by the first write.
     */
    private void createTopics() throws Exception {
        Map<String, String> ledger = Map.of("cleanup.policy", "compact,delete",
                "retention.ms", Long.toString(ledgerRetention.toMillis()));
        Map<String, Map<String, String>> wanted = new LinkedHashMap<>();
        wanted.put(topics.commands(), Map.of());
        wanted.put(topics.ledger(), ledger);
        wanted.put(topics.replies(), Map.of());
        wanted.put(topics.errors(), Map.of());
        wanted.put(topics.deadLetters(), Map.of());
        // Routing marks (README, Routing), ready for bridge.routing.marks.enabled: one partition, compacted.
        wanted.put(topics.routingMarks(), Map.of("cleanup.policy", "compact"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + port))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.entrySet().stream().filter(e -> !existing.contains(e.getKey()))
                    .map(e -> new NewTopic(e.getKey(), e.getKey().equals(topics.routingMarks()) ? 1 : PARTITIONS,
                            (short) 1).configs(e.getValue()))
                    .toList();
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            Map<String, Integer> partitions = new LinkedHashMap<>();
            admin.describeTopics(List.of(topics.commands(), topics.ledger())).allTopicNames().get(30, TimeUnit.SECONDS)
                    .forEach((name, description) -> partitions.put(name, description.partitions().size()));
            if (!partitions.get(topics.commands()).equals(partitions.get(topics.ledger()))) {
                Log.warnf("Dev Kafka: %s and %s have different partition counts %s (data kept from an older run): "
                        + "stop dev mode and delete %s", topics.commands(), topics.ledger(), partitions, dataDir);
            }
            Log.infof("Dev Kafka: topics %s ready (%d partitions each, the routing marks' 1; created now: %s)",
                    wanted.keySet(), PARTITIONS,
                    missing.stream().map(NewTopic::name).toList());
        }
    }

    /**
     * Dev mode's {@code q} calls System.exit, and the JVM runs every shutdown hook at once: stopped
     * together with the application, the broker went away while the bridge drained and its consumer left
     * the group (ERRORs "LeaveGroup ... not the correct coordinator"), and the next run then waited for
     * that member's session to time out. So the broker waits for dev mode to report the application
     * stopped, bounded in case it never does.
     */
    private void awaitApplicationStop() {
        long deadline = System.nanoTime() + stopWait.toNanos();
        while (ApplicationStateNotification.getState() == ApplicationStateNotification.State.STARTED
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
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
