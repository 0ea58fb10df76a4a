package io.issuetrakbridge.replay;

import static io.restassured.RestAssured.given;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;

import io.issuetrakbridge.testing.CommandTopics;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/** The replay API as an operator calls it, on the management port, plus a producer of hand-made dead letters. */
final class ReplayApi implements AutoCloseable {

    private final URL management;
    private final KafkaProducer<byte[], byte[]> producer;

    ReplayApi(URL management) {
        this.management = management;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(props);
    }

    static String token() {
        return ConfigProvider.getConfig().getValue("bridge.replay.token", String.class);
    }

    RequestSpecification anonymous() {
        return given().baseUri(management.getProtocol() + "://" + management.getHost()).port(management.getPort());
    }

    RequestSpecification authorized() {
        return anonymous().header("Authorization", "Bearer " + token());
    }

    /** A dry run: its answer lists the selection. */
    JsonPath dryRun(String body) {
        return authorized().contentType(ContentType.JSON).body(body).post(ReplayRoutes.PATH)
                .then().statusCode(200).extract().jsonPath();
    }

    /** Starts a real run and returns its ID. */
    String start(String body) {
        return authorized().contentType(ContentType.JSON).body(body).post(ReplayRoutes.PATH)
                .then().statusCode(202).extract().jsonPath().getString("runId");
    }

    JsonPath status() {
        return authorized().get(ReplayRoutes.STATUS_PATH).then().statusCode(200).extract().jsonPath();
    }

    /** Waits for a run to end and returns its final status. */
    JsonPath awaitEnd(String runId) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonPath s = status();
            return runId.equals(s.getString("runId")) && !"RUNNING".equals(s.getString("state"));
        });
        return status();
    }

    /** Starts a real run and waits for its end. */
    JsonPath run(String body) {
        return awaitEnd(start(body));
    }

    /** Produces a dead letter as the bridge would have written it. */
    RecordMetadata deadLetter(String key, String value, Long timestamp, List<Header> headers) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(CommandTopics.topic("dead-letters"), 0, timestamp,
                key.getBytes(StandardCharsets.UTF_8), value == null ? null : value.getBytes(StandardCharsets.UTF_8),
                headers);
        try {
            return producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not produce a dead letter", e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
