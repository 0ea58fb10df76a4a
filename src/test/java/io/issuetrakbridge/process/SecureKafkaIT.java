package io.issuetrakbridge.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.config.ApiKey;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.sandbox.SandboxSettings;
import io.issuetrakbridge.testing.BridgeProcess;
import io.issuetrakbridge.testing.BridgeTopics;
import io.issuetrakbridge.testing.SandboxTestResource;
import io.issuetrakbridge.testing.SecureKafkaBroker;
import io.issuetrakbridge.testing.StrimziAcls;
import io.vertx.mutiny.core.Vertx;

/**
 * Issue 17: the packaged bridge against a broker that requires TLS and authentication and enforces ACLs, with
 * exactly the ACLs of {@code deploy/kafka-user.yaml}, configured only through the documented {@code KAFKA_*}
 * environment variables (README, Kafka security). Topics are the production defaults, created by the test's
 * super user as the Strimzi Topic Operator would; the bridge does not create its ledger
 * ({@code BRIDGE_LEDGER_CREATE_TOPIC=false}, as in deploy/configmap.yaml).
 */
class SecureKafkaIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String COMMANDS = "issuetrak.notes.commands";
    private static final String REPLIES = "issuetrak.notes.replies";
    private static final String ERRORS = "issuetrak.notes.errors";
    private static final String DLQ = "issuetrak.notes.dlq";
    private static final String LEDGER = "issuetrak.notes.ledger";
    private static final String ROUTING = "issuetrak.notes.routing";
    private static final String REPLAY_TOKEN = "secure-it-replay-token-" + UUID.randomUUID();

    private static SecureKafkaBroker broker;
    private static String bridgePassword;
    private static String apiKey;
    private static Vertx vertx;
    private static SandboxServer sandbox;
    private final List<BridgeProcess> processes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        broker = SecureKafkaBroker.start();
        bridgePassword = SecureKafkaBroker.secret();
        broker.addScramUser(StrimziAcls.userName(), bridgePassword);
        try (Admin admin = Admin.create(broker.adminClient())) {
            admin.createTopics(List.of(new NewTopic(COMMANDS, 3, (short) 1), new NewTopic(REPLIES, 1, (short) 1),
                    new NewTopic(ERRORS, 1, (short) 1), new NewTopic(DLQ, 1, (short) 1),
                    new NewTopic(LEDGER, 3, (short) 1).configs(Map.of("cleanup.policy", "compact,delete")),
                    new NewTopic(ROUTING, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all().get(30, TimeUnit.SECONDS);
            admin.createAcls(StrimziAcls.bindings()).all().get(30, TimeUnit.SECONDS);
        }
        apiKey = SandboxTestResource.newApiKey();
        vertx = Vertx.vertx();
        sandbox = SandboxServer.start(vertx, SandboxSettings.defaults(ApiKey.of(apiKey)))
                .await().atMost(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) {
            sandbox.close().await().atMost(Duration.ofSeconds(10));
        }
        if (vertx != null) {
            vertx.closeAndAwait();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void stopBridges() {
        // SIGTERM: the next test's bridge joins the same group without waiting out a dead member's session.
        processes.stream().filter(BridgeProcess::isAlive).forEach(p -> p.sigterm(Duration.ofSeconds(40)));
        processes.forEach(BridgeProcess::close);
    }

    @Test
    void saslSslWithTheKafkaUserAclsAnswersDeadLettersAndReplays() throws Exception {
        BridgeProcess bridge = startBridge("sasl", saslEnvironment());
        bridge.awaitReady(WAIT);
        String ok = "sasl-ok-" + UUID.randomUUID();
        String rejected = "sasl-rejected-" + UUID.randomUUID();

        send(ok, 4242, "over SASL_SSL");
        // Beyond the sandbox's issue range: Issuetrak answers 400, an error reply and a dead letter.
        send(rejected, 9_999_999_999L, "no such issue");

        ConsumerRecord<byte[], byte[]> reply = awaitRecords(REPLIES, ok, 1).get(0);
        long noteId = JSON.readTree(reply.value()).get("NoteID").asLong();
        assertThat(sandbox.notes().forIssue(4242)).singleElement()
                .satisfies(note -> assertThat(note.noteId()).isEqualTo(noteId));
        assertThat(JSON.readTree(awaitRecords(ERRORS, rejected, 1).get(0).value()).get("Category").asText())
                .isEqualTo("REJECTED");
        awaitRecords(DLQ, rejected, 1);
        assertThat(readAll(LEDGER).stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)))
                .as("ledger keys").contains(ok);

        // Replay: the dead letter goes back to the commands topic (the bridge writes it), fails again.
        JsonNode started = replay(bridge, "POST", "{\"commandIds\": [\"" + rejected + "\"]}");
        assertThat(started.get("state").asText()).isIn("RUNNING", "COMPLETED");
        Awaitility.await("replay completed").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> replay(bridge, "GET", null).get("state").asText().equals("COMPLETED"));
        assertThat(replay(bridge, "GET", null).get("replayed").asInt()).isEqualTo(1);
        assertThat(readAll(COMMANDS).stream().filter(r -> rejected.equals(header(r, "CommandId"))))
                .singleElement().satisfies(r -> assertThat(header(r, "replay-count")).isEqualTo("1"));
        // The replayed command was consumed again: a second error for it.
        awaitRecords(ERRORS, rejected, 2);

        assertNoSecretIn(bridge, bridgePassword);
    }

    @Test
    void mutualTlsWithTheSameAcls() throws Exception {
        String keyStorePassword = SecureKafkaBroker.secret();
        String trustStorePassword = SecureKafkaBroker.secret();
        Path keyStore = broker.clientKeyStore(StrimziAcls.userName(), keyStorePassword);
        Path trustStore = broker.trustStore(trustStorePassword);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.mtlsBootstrap());
        env.put("KAFKA_SECURITY_PROTOCOL", "SSL");
        env.put("KAFKA_SSL_KEYSTORE_TYPE", "PKCS12");
        env.put("KAFKA_SSL_KEYSTORE_LOCATION", keyStore.toString());
        env.put("KAFKA_SSL_KEYSTORE_PASSWORD", keyStorePassword);
        env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
        env.put("KAFKA_SSL_TRUSTSTORE_LOCATION", trustStore.toString());
        env.put("KAFKA_SSL_TRUSTSTORE_PASSWORD", trustStorePassword);
        BridgeProcess bridge = startBridge("mtls", env);
        bridge.awaitReady(WAIT);
        String ok = "mtls-ok-" + UUID.randomUUID();

        send(ok, 4343, "over mTLS");

        long noteId = JSON.readTree(awaitRecords(REPLIES, ok, 1).get(0).value()).get("NoteID").asLong();
        assertThat(sandbox.notes().forIssue(4343)).singleElement()
                .satisfies(note -> assertThat(note.noteId()).isEqualTo(noteId));
        assertNoSecretIn(bridge, keyStorePassword, trustStorePassword);
    }

    @Test
    void aMissingAclIsNamedAndTheCommandIsAnsweredOnceItIsGranted() throws Exception {
        AclBinding writeReplies = StrimziAcls.bindings().stream()
                .filter(b -> b.pattern().name().equals(REPLIES) && b.entry().operation() == AclOperation.WRITE)
                .findFirst().orElseThrow();
        BridgeProcess bridge = startBridge("no-write-on-replies", saslEnvironment());
        bridge.awaitReady(WAIT);
        String id = "acl-" + UUID.randomUUID();
        try (Admin admin = Admin.create(broker.adminClient())) {
            admin.deleteAcls(List.of(writeReplies.toFilter())).all().get(30, TimeUnit.SECONDS);
            try {
                send(id, 4444, "waits for its ACL");

                bridge.awaitLog("Kafka denies this bridge WRITE on topic " + REPLIES, WAIT);
                assertThat(bridge.logLines("Kafka denies this bridge WRITE on topic " + REPLIES))
                        .allSatisfy(line -> assertThat(line).contains("ERROR").contains("command " + id));
                Awaitility.await("readiness DOWN").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                        .until(() -> readiness(bridge).statusCode() == 503);
                assertThat(readiness(bridge).body()).contains("kafka-producer").contains("TopicAuthorizationException");
                assertThat(readAll(REPLIES).stream().filter(r -> id.equals(header(r, "CommandId")))).isEmpty();
            } finally {
                admin.createAcls(List.of(writeReplies)).all().get(30, TimeUnit.SECONDS);
            }
        }

        ConsumerRecord<byte[], byte[]> reply = awaitRecords(REPLIES, id, 1).get(0);
        assertThat(sandbox.notes().forIssue(4444)).singleElement().satisfies(
                note -> assertThat(note.noteId()).isEqualTo(JSON.readTree(reply.value()).get("NoteID").asLong()));
        Awaitility.await("readiness UP again").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> readiness(bridge).statusCode() == 200);
        assertNoSecretIn(bridge, bridgePassword);
    }

    private static Map<String, String> saslEnvironment() {
        // Exactly the README's Kafka security lines.
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.saslBootstrap());
        env.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        env.put("KAFKA_SASL_JAAS_CONFIG", SecureKafkaBroker.jaas(StrimziAcls.userName(), bridgePassword));
        env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM");
        env.put("KAFKA_SSL_TRUSTSTORE_LOCATION", broker.caCertificate().toString());
        return env;
    }

    /** The bridge with the common test settings, every kafka.* one from {@code environment} only. */
    private BridgeProcess startBridge(String name, Map<String, String> environment) {
        BridgeTopics defaults = new BridgeTopics(COMMANDS, REPLIES, ERRORS, DLQ, LEDGER, "issuetrak-bridge");
        Map<String, String> config = BridgeProcess.baseConfig("unused", sandbox.baseUrl(), apiKey, defaults);
        // System properties outrank the environment: the production defaults (topics, group) and the
        // security settings must come from where an operator sets them.
        config.keySet().removeIf(key -> key.startsWith("kafka.") || key.startsWith("bridge.topics."));
        Map<String, String> env = new HashMap<>(environment);
        env.put("BRIDGE_LEDGER_CREATE_TOPIC", "false");
        // Routing marks on: they are written and read with the KafkaUser's ACLs too.
        env.put("BRIDGE_ROUTING_MARKS_ENABLED", "true");
        env.put("BRIDGE_REPLAY_TOKEN", REPLAY_TOKEN);
        BridgeProcess process = BridgeProcess.start("SecureKafkaIT-" + name, config, env);
        processes.add(process);
        return process;
    }

    private static void send(String commandId, long issue, String text) throws Exception {
        Map<String, Object> props = new HashMap<>(broker.adminClient());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        String json = """
                {"CommandId": "%s", "IssueNumber": %d, "CreatedBy": "bridge", "NoteText": "%s"}"""
                .formatted(commandId, issue, text);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            producer.send(new ProducerRecord<>(COMMANDS, Long.toString(issue).getBytes(StandardCharsets.UTF_8),
                    json.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
    }

    /** Waits until {@code topic} holds {@code count} records of the command; returns them in order. */
    private static List<ConsumerRecord<byte[], byte[]>> awaitRecords(String topic, String commandId, int count) {
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        Awaitility.await(count + " record(s) of " + commandId + " on " + topic).atMost(WAIT)
                .pollInterval(Duration.ofMillis(300)).until(() -> {
                    found.clear();
                    readAll(topic).stream().filter(r -> commandId.equals(header(r, "CommandId"))).forEach(found::add);
                    return found.size() >= count;
                });
        return found;
    }

    /** Every record of {@code topic} so far, read as the super user. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        Map<String, Object> props = new HashMap<>(broker.adminClient());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static JsonNode replay(BridgeProcess bridge, String method, String body) throws Exception {
        String path = method.equals("GET") ? "/replay/dlq/status" : "/replay/dlq";
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + bridge.managementPort() + path))
                .header("Authorization", "Bearer " + REPLAY_TOKEN).header("Content-Type", "application/json");
        request = body == null ? request.GET() : request.method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("replay API %s %s: %s", method, path, response.body()).isLessThan(300);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> readiness(BridgeProcess bridge) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bridge.managementPort()
                + "/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The passwords appear nowhere the bridge writes: its log, its metrics and health output, and the records
     * on every topic (values, keys and headers).
     */
    private static void assertNoSecretIn(BridgeProcess bridge, String... secrets) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bridge.managementPort()
                + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        StringBuilder records = new StringBuilder();
        for (String topic : Set.of(COMMANDS, REPLIES, ERRORS, DLQ, LEDGER)) {
            for (ConsumerRecord<byte[], byte[]> r : readAll(topic)) {
                records.append(r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8))
                        .append(r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8));
                r.headers().forEach(h -> records.append(h.key()).append(new String(h.value(), StandardCharsets.UTF_8)));
            }
        }
        String health = readiness(bridge).body();
        for (String secret : secrets) {
            assertThat(bridge.logText()).as("the bridge's log").doesNotContain(secret);
            assertThat(metrics).as("metrics").doesNotContain(secret);
            assertThat(health).as("health").doesNotContain(secret);
            assertThat(records.toString()).as("records on the bridge's topics").doesNotContain(secret);
        }
        assertThat(Files.readString(bridge.logFile())).as("the log was read").isNotEmpty();
    }
}
