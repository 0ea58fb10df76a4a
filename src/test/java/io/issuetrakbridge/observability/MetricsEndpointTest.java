package io.issuetrakbridge.observability;

import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.config.ApiKey;
import io.issuetrakbridge.messaging.NotePipelineTest;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectCommandTopics;
import io.issuetrakbridge.testing.InjectSandbox;
import io.issuetrakbridge.testing.SandboxTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/** The README's metric names exist on the management port's {@code /q/metrics} once commands flowed. */
@QuarkusTest
@TestProfile(ObservabilityProfile.class)
public class MetricsEndpointTest {

    private static final Pattern LAG = Pattern.compile("^issuetrak_bridge_consumer_lag\\{([^}]*)} (\\S+)$",
            Pattern.MULTILINE);
    private static final Pattern PAUSED = Pattern.compile(
            "^issuetrak_bridge_paused\\{reason=\"UNAUTHORIZED\",?} (\\S+)$", Pattern.MULTILINE);

    @InjectCommandTopics
    CommandTopics topics;

    @InjectSandbox
    SandboxServer sandbox;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void theDocumentedMetricsAreExposed() {
        String ok = "metrics-" + UUID.randomUUID();
        String bad = "metrics-bad-" + UUID.randomUUID();
        topics.send("31", NotePipelineTest.command(ok, 31, "counted"));
        topics.send("31", "{\"CommandId\": \"" + bad + "\", \"IssueNumber\": 31}");
        // Issue 31's home among the 3 partitions is 1 (murmur2("31") = 1765490875): on 0 it is forwarded there.
        String forwarded = "metrics-forwarded-" + UUID.randomUUID();
        topics.send(0, "31", NotePipelineTest.command(forwarded, 31, "forwarded"));
        topics.await("replies", commandIds(List.of(ok, forwarded)), 2);
        topics.await("errors", commandIds(List.of(bad)), 1);

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(metrics()).contains(
                "issuetrak_bridge_commands_received_total",
                "issuetrak_bridge_notes_created_total{how=\"created\"",
                "issuetrak_bridge_commands_failed_total{category=\"VALIDATION\"",
                "issuetrak_bridge_dead_letters_total{category=\"VALIDATION\"",
                "issuetrak_bridge_commands_in_flight",
                "issuetrak_bridge_commands_working",
                "issuetrak_bridge_commands_waiting{reason=\"issue_turn\"",
                "issuetrak_bridge_commands_waiting{reason=\"fairness_cap\"",
                "issuetrak_bridge_commands_waiting{reason=\"priority\"",
                "issuetrak_bridge_commands_waiting{reason=\"window\"",
                "issuetrak_bridge_commands_waiting{reason=\"budget\"",
                "issuetrak_bridge_commands_waiting{reason=\"concurrency\"",
                "issuetrak_bridge_issuetrak_concurrency_no_load_latency_seconds",
                "issuetrak_bridge_commands_oldest_waiting_seconds",
                "issuetrak_bridge_commands_forwarded_total{reason=\"other-partitioner\"",
                "issuetrak_bridge_kafka_resends_total",
                "issuetrak_bridge_paused{reason=\"UNAVAILABLE\"",
                "issuetrak_bridge_command_latency_seconds_count{outcome=\"created\"",
                "issuetrak_bridge_command_latency_seconds_bucket",
                "issuetrak_bridge_issuetrak_requests_seconds_count{operation=\"create\",status=\"201\"",
                "issuetrak_bridge_issuetrak_requests_seconds_bucket",
                // The commands consumer's largest partition lag, from the Kafka client's own metrics (Quarkus binds them).
                "kafka_consumer_fetch_manager_records_lag_max{client_id=\"kafka-consumer-commands\""));
    }

    @Test
    void countersMoveByExactlyWhatHappened() {
        Map<String, Double> before = series();
        String run = UUID.randomUUID().toString();
        List<String> good = List.of("good-1-" + run, "good-2-" + run, "good-3-" + run);
        List<String> bad = List.of("bad-1-" + run, "bad-2-" + run);
        String dropped = "dropped-" + run;
        String retried = "retried-" + run;

        // 3 good commands, each for its own issue.
        for (int i = 0; i < good.size(); i++) {
            topics.send(Integer.toString(3101 + i), NotePipelineTest.command(good.get(i), 3101 + i, "counted"));
        }
        topics.await("replies", commandIds(good), 3);
        // 2 bad ones (no CreatedBy, no NoteText): VALIDATION, dead-lettered.
        bad.forEach(id -> topics.send("3110", "{\"CommandId\": \"" + id + "\", \"IssueNumber\": 3110}"));
        topics.await("errors", commandIds(bad), 2);
        // The first good command again, same ID: answered from the ledger.
        topics.send("3101", NotePipelineTest.command(good.get(0), 3101, "counted"));
        topics.await("replies", commandIds(List.of(good.get(0))), 2);
        // One create whose answer is lost: AMBIGUOUS, one retry, which reconciles and adopts the note.
        sandbox.faults().createThenDrop(1.0);
        try {
            topics.send("3120", NotePipelineTest.command(dropped, 3120, "counted"));
            topics.await("replies", commandIds(List.of(dropped)), 1);
        } finally {
            sandbox.faults().reset();
        }
        // One create answered 500 once: UNAVAILABLE, one retry, which creates the note.
        sandbox.faults().createErrors(1);
        topics.send("3130", NotePipelineTest.command(retried, 3130, "counted"));
        topics.await("replies", commandIds(List.of(retried)), 1);
        // One dead letter replayed: it fails validation once more.
        String runId = RestAssured.given().baseUri("http://" + management.getHost()).port(management.getPort())
                .header("Authorization", "Bearer " + ConfigProvider.getConfig().getValue("bridge.replay.token", String.class))
                .contentType("application/json").body("{\"commandIds\": [\"" + bad.get(0) + "\"]}")
                .post("/replay/dlq").then().statusCode(202).extract().jsonPath().getString("runId");
        assertThat(runId).isNotBlank();
        topics.await("errors", commandIds(List.of(bad.get(0))), 2);

        Map<String, Double> expected = new TreeMap<>();
        expected.put("issuetrak_bridge_notes_created_total{how=\"created\"}", 4.0);
        expected.put("issuetrak_bridge_notes_created_total{how=\"reconciled\"}", 1.0);
        expected.put("issuetrak_bridge_commands_failed_total{category=\"VALIDATION\"}", 3.0);
        expected.put("issuetrak_bridge_dead_letters_total{category=\"VALIDATION\"}", 3.0);
        expected.put("issuetrak_bridge_retries_total{category=\"AMBIGUOUS\"}", 1.0);
        expected.put("issuetrak_bridge_retries_total{category=\"UNAVAILABLE\"}", 1.0);
        expected.put("issuetrak_bridge_reconciliations_total{outcome=\"adopted\"}", 1.0);
        expected.put("issuetrak_bridge_reconciliations_total{outcome=\"none\"}", 0.0);
        expected.put("issuetrak_bridge_replays_total{outcome=\"replayed\"}", 1.0);
        expected.put("issuetrak_bridge_issuetrak_requests_seconds_count{operation=\"create\",status=\"201\"}", 4.0);
        expected.put("issuetrak_bridge_issuetrak_requests_seconds_count{operation=\"create\",status=\"500\"}", 1.0);
        expected.put("issuetrak_bridge_issuetrak_requests_seconds_count{operation=\"create\",status=\"AMBIGUOUS\"}",
                1.0);
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, Double> after = series();
            Map<String, Double> changes = new TreeMap<>();
            expected.keySet().forEach(name -> changes.put(name,
                    after.getOrDefault(name, 0.0) - before.getOrDefault(name, 0.0)));
            assertThat(changes).isEqualTo(expected);
            // Kafka may deliver a record again (seen once here: a rebalance before the commit), and the ledger
            // answers it as a duplicate: so received = 3 + 2 + 1 + 1 + 1 + 1 replayed = 9 and duplicate = 1, each
            // plus the same number of redeliveries.
            double received = after.getOrDefault("issuetrak_bridge_commands_received_total", 0.0)
                    - before.getOrDefault("issuetrak_bridge_commands_received_total", 0.0);
            String duplicateName = "issuetrak_bridge_notes_created_total{how=\"duplicate\"}";
            double duplicates = after.getOrDefault(duplicateName, 0.0) - before.getOrDefault(duplicateName, 0.0);
            assertThat(duplicates).as("duplicates").isGreaterThanOrEqualTo(1.0);
            assertThat(received - duplicates).as("received, less duplicates").isEqualTo(8.0);
        });
    }

    @Test
    void consumerLagIsReportedPerPartitionAndGrowsWhilePaused() {
        String commands = CommandTopics.topic("commands");
        int partition = 1;
        ApiKey key = sandbox.settings().apiKey();
        List<String> ids = new ArrayList<>();
        List<CommandTopics.Keyed> first = backlog(0, 120, ids);
        List<CommandTopics.Keyed> second = backlog(120, 100, ids);
        // A key Issuetrak refuses pauses the bridge: it takes no more than its small window (the profile's
        // 4 in flight and none parked, 10 a poll, the connector's queue of 20) and the rest of the backlog waits in the
        // partition, as lag.
        sandbox.apiKey(ApiKey.of(SandboxTestResource.newApiKey()));
        try {
            topics.sendAll(partition, first);
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Map<Integer, Double> lag = lagByPartition(commands);
                assertThat(lag).as("a series for every partition of %s", commands).containsOnlyKeys(0, 1, 2);
                assertThat(lag.get(partition)).as("lag of partition %d", partition).isGreaterThan(0.0);
                assertThat(pausedByRefusedKey()).as("issuetrak_bridge_paused{reason=UNAUTHORIZED}").isEqualTo(1.0);
            });
            // Commands that arrive while paused are never fetched, yet they count: the lag is measured
            // against the partition's end, not as of the consumer's last fetch (which would stay below 120).
            topics.sendAll(partition, second);
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    lagByPartition(commands).get(partition)).as("lag of partition %d", partition).isGreaterThan(150.0));
        } finally {
            sandbox.apiKey(key);
        }
        // Once the key works again the backlog drains, and so does the lag.
        topics.await("replies", commandIds(ids), ids.size());
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(lagByPartition(commands).get(partition)).isZero());
        assertThat(pausedByRefusedKey()).as("issuetrak_bridge_paused{reason=UNAUTHORIZED} once resumed").isZero();
    }

    private double pausedByRefusedKey() {
        Matcher series = PAUSED.matcher(metrics());
        assertThat(series.find()).as("issuetrak_bridge_paused{reason=\"UNAUTHORIZED\"} exported").isTrue();
        return Double.parseDouble(series.group(1));
    }

    /** {@code count} commands, each for its own issue, their IDs added to {@code ids}. */
    /**
     * {@code count} commands of issues whose home is partition 1 (what Kafka's default partitioner picks for their
     * keys, of 3 partitions), the one the lag test sends them to: processed there, none forwarded.
     */
    private static List<CommandTopics.Keyed> backlog(int from, int count, List<String> ids) {
        List<CommandTopics.Keyed> backlog = new ArrayList<>();
        long issue = 40_000 + from * 4;
        for (int i = from; i < from + count; i++) {
            String id = "lag-" + i + "-" + UUID.randomUUID();
            ids.add(id);
            issue = CommandTopics.issueHomedOn(1, 3, issue);
            backlog.add(new CommandTopics.Keyed(Long.toString(issue), NotePipelineTest.command(id, issue, "lag")));
            issue++;
        }
        return backlog;
    }

    /** The {@code issuetrak_bridge_consumer_lag} series of {@code topic}, by partition. */
    private Map<Integer, Double> lagByPartition(String topic) {
        Map<Integer, Double> lag = new TreeMap<>();
        Matcher series = LAG.matcher(metrics());
        while (series.find()) {
            Map<String, String> labels = new TreeMap<>();
            for (String label : series.group(1).split(",")) {
                String[] nameValue = label.split("=", 2);
                labels.put(nameValue[0], nameValue[1].replace("\"", ""));
            }
            if (topic.equals(labels.get("topic"))) {
                lag.put(Integer.parseInt(labels.get("partition")), Double.parseDouble(series.group(2)));
            }
        }
        return lag;
    }

    /** Every series of ours on /q/metrics, as {@code name{labels}} (without the empty braces) to value. */
    private Map<String, Double> series() {
        Map<String, Double> values = new TreeMap<>();
        for (String line : metrics().split("\n")) {
            if (line.startsWith("issuetrak_bridge_")) {
                int space = line.lastIndexOf(' ');
                values.put(line.substring(0, space).replace("{}", ""), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return values;
    }

    private String metrics() {
        return RestAssured.given().baseUri("http://" + management.getHost()).port(management.getPort())
                .get("/q/metrics").then().statusCode(200).extract().asString();
    }
}
