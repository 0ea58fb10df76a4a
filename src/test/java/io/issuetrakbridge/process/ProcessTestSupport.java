package io.issuetrakbridge.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.header.Header;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import io.issuetrakbridge.config.ApiKey;
import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.sandbox.SandboxSettings;
import io.issuetrakbridge.testing.BridgeProcess;
import io.issuetrakbridge.testing.BridgeTopics;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.EmbeddedKafka;
import io.issuetrakbridge.testing.SandboxTestResource;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.vertx.mutiny.core.Vertx;

/**
 * The packaged service as separate processes against the test JVM's broker and sandbox. Every note
 * a test asks for names its command in its text, so the sandbox's notes can be counted per command
 * and checked against the replies.
 */
abstract class ProcessTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** One JSON value per line and nothing after it. */
    private static final ObjectReader JSON_LINE = JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final HttpClient METRICS_HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Pattern NOTE_TEXT = Pattern.compile("^command (\\S+) #(\\d+) of issue (\\d+)$");

    static String bootstrap;
    static String apiKey;
    static Vertx vertx;
    static SandboxServer sandbox;

    final List<BridgeProcess> processes = new ArrayList<>();
    final List<ConsumerTask<byte[], byte[]>> followers = new ArrayList<>();
    ScheduledExecutorService producerThread;
    BridgeTopics topics;
    CommandTopics kafka;

    /** A command the test sent: the {@code seq}-th for its issue. */
    record Sent(String commandId, long issue, int seq) {
        String json() {
            return """
                    {"CommandId": "%s", "IssueNumber": %d, "CreatedBy": "bridge", "NoteText": "command %s #%d of issue %d"}"""
                    .formatted(commandId, issue, commandId, seq, issue);
        }
    }

    @BeforeAll
    static void startInfrastructure() {
        bootstrap = EmbeddedKafka.bootstrapServers();
        apiKey = SandboxTestResource.newApiKey();
        vertx = Vertx.vertx();
        sandbox = SandboxServer.start(vertx, SandboxSettings.defaults(ApiKey.of(apiKey)))
                .await().atMost(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stopInfrastructure() {
        if (sandbox != null) {
            sandbox.close().await().atMost(Duration.ofSeconds(10));
        }
        if (vertx != null) {
            vertx.closeAndAwait();
        }
    }

    @AfterEach
    void cleanUp() {
        if (producerThread != null) {
            producerThread.shutdownNow();
        }
        processes.forEach(BridgeProcess::close);
        followers.forEach(ConsumerTask::stop);
        if (kafka != null) {
            kafka.close();
        }
        sandbox.faults().reset();
        sandbox.notes().clear();
    }

    /** Fresh topics, group and producer for one test. */
    void newTopics(String prefix, int partitions) {
        topics = BridgeTopics.create(bootstrap, prefix, partitions);
        kafka = new CommandTopics(bootstrap, topics::name);
    }

    /** Starts a service process with the common configuration plus {@code extra}. */
    BridgeProcess startBridge(String name, Map<String, String> extra) {
        return startBridge(name, extra, Map.of());
    }

    /** As {@link #startBridge(String, Map)}, with environment variables added. */
    BridgeProcess startBridge(String name, Map<String, String> extra, Map<String, String> environment) {
        Map<String, String> config = BridgeProcess.baseConfig(bootstrap, sandbox.baseUrl(), apiKey, topics);
        config.putAll(extra);
        BridgeProcess process = BridgeProcess.start(getClass().getSimpleName() + "-" + name, config, environment);
        processes.add(process);
        return process;
    }

    ConsumerTask<byte[], byte[]> follow(String shortName) {
        ConsumerTask<byte[], byte[]> task = kafka.follow(shortName);
        followers.add(task);
        return task;
    }

    /** {@code perIssue} commands for each of {@code issues} issues, interleaved across issues. */
    static List<Sent> commands(String prefix, int issues, int perIssue) {
        List<Sent> sent = new ArrayList<>(issues * perIssue);
        for (int seq = 0; seq < perIssue; seq++) {
            for (int i = 0; i < issues; i++) {
                long issue = 1000 + i;
                sent.add(new Sent("%s-%d-%d".formatted(prefix, issue, seq), issue, seq));
            }
        }
        return sent;
    }

    /**
     * Produces the commands in order, {@code batch} every {@code every}, keyed by issue, as a steady
     * upstream would: the service is always mid-stream when a test stops it, however fast it runs.
     *
     * @return how many have been sent so far
     */
    AtomicInteger produceSteadily(List<Sent> commands, int batch, Duration every) {
        return produceSteadily(commands, batch, every,
                c -> new CommandTopics.Placed(null, null, Long.toString(c.issue()), c.json()));
    }

    /**
     * As {@link #produceSteadily(List, int, Duration)}, each command sent where {@code placement} says: called on
     * the producer's thread just before the send, in order, so it may pick timestamps from the clock.
     */
    AtomicInteger produceSteadily(List<Sent> commands, int batch, Duration every,
            Function<Sent, CommandTopics.Placed> placement) {
        AtomicInteger sent = new AtomicInteger();
        producerThread = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "command-producer"));
        ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
        self[0] = producerThread.scheduleAtFixedRate(() -> {
            int from = sent.get();
            int to = Math.min(commands.size(), from + batch);
            kafka.sendPlaced(commands.subList(from, to).stream().map(placement).toList());
            sent.set(to);
            if (to == commands.size()) {
                self[0].cancel(false);
            }
        }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return sent;
    }

    /**
     * The sum of every series of {@code name} (tags aside) on the process's management {@code /q/metrics}; fails
     * when it shows none, so a misspelt name cannot read as zero.
     */
    static double metricSum(BridgeProcess process, String name) {
        String body;
        try {
            body = METRICS_HTTP.send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + process.managementPort() + "/q/metrics")).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the metrics of " + process, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        List<String> series = body.lines().filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .toList();
        assertThat(series).as("%s on /q/metrics of %s", name, process).isNotEmpty();
        return series.stream().mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /** Every line the process wrote, each parsed as a JSON object; fails on the first line that is not one. */
    static List<JsonNode> jsonLines(BridgeProcess process) {
        List<JsonNode> parsed = new ArrayList<>();
        for (String line : process.logText().lines().toList()) {
            JsonNode node;
            try {
                node = JSON_LINE.readTree(line);
            } catch (JsonProcessingException e) {
                node = null;
            }
            assertThat(node != null && node.isObject()).as("a JSON object on each line of %s, not: %s",
                    process.logFile(), line).isTrue();
            parsed.add(node);
        }
        return parsed;
    }

    /** Command IDs of the records read so far (from their CommandId header). */
    static Set<String> commandIdsIn(ConsumerTask<byte[], byte[]> task) {
        return task.getRecords().stream().map(ProcessTestSupport::commandIdOf)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    static String commandIdOf(ConsumerRecord<byte[], byte[]> record) {
        Header h = record.headers().lastHeader("CommandId");
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static long noteIdOf(ConsumerRecord<byte[], byte[]> reply) {
        try {
            return JSON.readTree(reply.value()).get("NoteID").asLong();
        } catch (Exception e) {
            throw new IllegalStateException("unreadable reply " + new String(reply.value(), StandardCharsets.UTF_8), e);
        }
    }

    /** The sandbox's notes by the command ID in their text. */
    static Map<String, List<ReadNote>> notesByCommand() {
        Map<String, List<ReadNote>> byCommand = new HashMap<>();
        for (ReadNote note : sandbox.notes().all()) {
            Matcher m = NOTE_TEXT.matcher(note.noteText());
            String id = m.matches() ? m.group(1) : "(foreign) " + note.noteText();
            byCommand.computeIfAbsent(id, k -> new ArrayList<>()).add(note);
        }
        return byCommand;
    }

    /** The group is stable with {@code members} processes, and each owns some of the partitions. */
    void awaitMembersOwnPartitions(int members) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            Awaitility.await("a stable group of " + members + " members sharing the partitions")
                    .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(topics.group()))
                                .describedGroups().get(topics.group()).get(10, TimeUnit.SECONDS);
                        return group.groupState() == GroupState.STABLE && group.members().size() == members
                                && group.members().stream()
                                        .allMatch(m -> !m.assignment().topicPartitions().isEmpty());
                    });
        }
    }

    /** Waits until every command has a reply, failing at once if one errors or is dead-lettered. */
    void awaitAllReplied(List<Sent> commands, ConsumerTask<byte[], byte[]> replies,
            ConsumerTask<byte[], byte[]> errors, Duration timeout) {
        Set<String> expected = commands.stream().map(Sent::commandId).collect(Collectors.toSet());
        Awaitility.await("a reply for each of " + expected.size() + " commands").atMost(timeout)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    assertThat(errors.getRecords()).as("error replies").isEmpty();
                    return commandIdsIn(replies).containsAll(expected);
                });
    }

    /**
     * The exactly-once promise, checked against the sandbox: every command has exactly one note,
     * every reply of a command carries that note's NoteID, notes of an issue are in command order,
     * nothing was an error or a dead letter.
     *
     * @return how many replies repeated an earlier one (allowed after a crash, with the same NoteID)
     */
    Audit audit(List<Sent> commands, List<ConsumerRecord<byte[], byte[]>> replies) {
        Map<String, List<ReadNote>> notes = notesByCommand();
        Map<String, List<Long>> replied = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> reply : replies) {
            replied.computeIfAbsent(commandIdOf(reply), k -> new ArrayList<>()).add(noteIdOf(reply));
        }
        List<String> duplicates = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        List<String> unreplied = new ArrayList<>();
        List<String> wrongNoteId = new ArrayList<>();
        Set<String> known = new java.util.HashSet<>();
        for (Sent c : commands) {
            known.add(c.commandId());
            List<ReadNote> mine = notes.getOrDefault(c.commandId(), List.of());
            if (mine.isEmpty()) {
                lost.add(c.commandId());
            } else if (mine.size() > 1) {
                duplicates.add(c.commandId() + " has notes "
                        + mine.stream().map(ReadNote::noteId).toList());
            }
            List<Long> ids = replied.getOrDefault(c.commandId(), List.of());
            if (ids.isEmpty()) {
                unreplied.add(c.commandId());
            } else if (ids.stream().distinct().count() != 1
                    || (mine.size() == 1 && ids.get(0) != mine.get(0).noteId())) {
                wrongNoteId.add(c.commandId() + " replied " + ids + ", notes "
                        + mine.stream().map(ReadNote::noteId).toList());
            }
        }
        List<String> foreign = notes.keySet().stream().filter(id -> !known.contains(id)).toList();

        // Per issue: the sandbox keeps an issue's notes in creation order.
        List<String> disorder = new ArrayList<>();
        Map<Long, List<Integer>> expectedSeqs = new TreeMap<>();
        commands.forEach(c -> expectedSeqs.computeIfAbsent(c.issue(), k -> new ArrayList<>()).add(c.seq()));
        expectedSeqs.forEach((issue, seqs) -> {
            List<Integer> actual = sandbox.notes().forIssue(issue).stream().map(n -> {
                Matcher m = NOTE_TEXT.matcher(n.noteText());
                return m.matches() ? Integer.parseInt(m.group(2)) : -1;
            }).toList();
            List<Integer> sorted = actual.stream().sorted(Comparator.naturalOrder()).toList();
            if (!actual.equals(sorted)) {
                disorder.add("issue " + issue + ": " + actual);
            }
        });

        assertThat(duplicates).as("commands with more than one note").isEmpty();
        assertThat(lost).as("commands without a note").isEmpty();
        assertThat(foreign).as("notes of no command of this test").isEmpty();
        assertThat(wrongNoteId).as("commands whose replies do not all carry their note's NoteID").isEmpty();
        assertThat(unreplied).as("commands without a reply").isEmpty();
        assertThat(disorder).as("issues whose notes are not in command order").isEmpty();
        return new Audit(commands.size(), notes.values().stream().mapToInt(List::size).sum(), replies.size(),
                replies.size() - replied.size());
    }

    /** What an audit counted, for the test's log. */
    record Audit(int commands, int notes, int replies, int repeatedReplies) {
    }
}
