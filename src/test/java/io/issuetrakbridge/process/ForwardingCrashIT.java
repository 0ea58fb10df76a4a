package io.issuetrakbridge.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.issuetrakbridge.testing.BridgeProcess;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;

/**
 * Issue 13: the service is SIGKILLed while it forwards commands to their issues' home partitions. The commands
 * have no ID of their own, so each is known by its original position ({@code <topic>-<partition>-<offset>}),
 * which a forwarded copy must keep: an original forwarded, then redelivered after the crash because its offset
 * was not committed, is forwarded again, and the second copy must be answered from the ledger with the first
 * one's note. Zero duplicates, zero lost. Here with routing marks off (the order window alone);
 * {@link ForwardingCrashWithMarksIT} runs it with the default, marks on.
 */
class ForwardingCrashIT extends ProcessTestSupport {

    private static final int PARTITIONS = 3;

    /** A command sent without an ID: its tag (in its note text) and the position the bridge names it by. */
    private record Produced(String tag, long issue, String positionId) {
    }

    /** Settings of both runs of the service beyond the tests' own: here routing marks off, the window alone. */
    Map<String, String> config() {
        return Map.of("bridge.routing.marks.enabled", "false");
    }

    @Test
    void sigkillWhileForwardingThenRestartCreatesEveryNoteExactlyOnce() throws Exception {
        newTopics("forward", PARTITIONS);
        sandbox.faults().latency(Duration.ofMillis(5), Duration.ZERO);
        ConsumerTask<byte[], byte[]> replies = follow("replies");
        ConsumerTask<byte[], byte[]> errors = follow("errors");
        ConsumerTask<byte[], byte[]> commandsTopic = follow("commands");

        BridgeProcess first = startBridge("first", config());
        first.awaitReady(Duration.ofSeconds(90));
        // One producer, each issue's commands round-robin over the partitions, under no key, another key and the
        // issue number: two in three are not on their issue's home partition and are forwarded.
        List<Produced> produced = new ArrayList<>();
        AtomicInteger sent = produceSteadily(200, 10, produced);

        Awaitility.await("forwarding and notes under way").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> sandbox.notes().size() >= 300 && forwardedCopies(commandsTopic) >= 200);
        int exit = first.sigkill();
        System.out.printf("ForwardingCrashIT: SIGKILL (exit %d) with %d notes, %d forwarded copies, %d produced%n",
                exit, sandbox.notes().size(), forwardedCopies(commandsTopic), sent.get());
        assertThat(exit).as("exit code of a SIGKILLed JVM").isEqualTo(137);
        assertThat(sandbox.notes().size()).as("killed well before the end").isLessThan(1500);

        BridgeProcess restarted = startBridge("restarted", config());
        Awaitility.await("every command produced").atMost(Duration.ofSeconds(60)).until(() -> sent.get() == 2000);
        Set<String> expected = ConcurrentHashMap.newKeySet();
        synchronized (produced) {
            produced.forEach(p -> expected.add(p.positionId()));
        }
        Awaitility.await("a reply for each of 2000 commands").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    assertThat(errors.getRecords()).as("error replies").isEmpty();
                    return commandIdsIn(replies).containsAll(expected);
                });

        // One note per command, by the tag in its text; every reply of a command carries that note's NoteID.
        Map<String, List<ReadNote>> notes = notesByCommand();
        Map<String, List<Long>> replied = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> reply : replies.getRecords()) {
            replied.computeIfAbsent(commandIdOf(reply), k -> new ArrayList<>()).add(noteIdOf(reply));
        }
        List<String> duplicates = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        List<String> wrongNoteId = new ArrayList<>();
        for (Produced p : produced) {
            List<ReadNote> mine = notes.getOrDefault(p.tag(), List.of());
            if (mine.isEmpty()) {
                lost.add(p.tag());
            } else if (mine.size() > 1) {
                duplicates.add(p.tag() + " (" + p.positionId() + ") has notes "
                        + mine.stream().map(ReadNote::noteId).toList());
            } else if (!replied.get(p.positionId()).stream().allMatch(id -> id == mine.get(0).noteId())) {
                wrongNoteId.add(p.positionId() + " replied " + replied.get(p.positionId()));
            }
        }
        System.out.printf("ForwardingCrashIT: %d commands, %d notes, %d replies, %d forwarded copies%n",
                produced.size(), notes.values().stream().mapToInt(List::size).sum(), replies.getRecords().size(),
                forwardedCopies(commandsTopic));
        assertThat(duplicates).as("commands with more than one note").isEmpty();
        assertThat(lost).as("commands without a note").isEmpty();
        assertThat(notes).as("notes of no command of this test").hasSize(produced.size());
        assertThat(wrongNoteId).as("commands whose replies do not all carry their note's NoteID").isEmpty();
        assertThat(kafka.readNow("dead-letters", r -> true)).as("dead letters").isEmpty();
        afterwards(restarted);
    }

    /** Further checks of the restarted service's log. */
    void afterwards(BridgeProcess restarted) {
    }

    private static long forwardedCopies(ConsumerTask<byte[], byte[]> commands) {
        return commands.getRecords().stream().filter(r -> r.headers().lastHeader("bridge-forwarded-from") != null)
                .count();
    }

    /**
     * Produces {@code issues * perIssue} commands without IDs, 20 every 40 ms; the n-th command of an issue goes
     * to partition n % 3 under a key that cycles through none, another key and the issue number.
     */
    private AtomicInteger produceSteadily(int issues, int perIssue, List<Produced> produced) {
        AtomicInteger sent = new AtomicInteger();
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        List<Produced> pending = new ArrayList<>();
        for (int seq = 0; seq < perIssue; seq++) {
            for (int i = 0; i < issues; i++) {
                long issue = 1000 + i;
                String tag = "fwd-%d-%d".formatted(issue, seq);
                String key = switch (seq % 3) {
                    case 0 -> null;
                    case 1 -> "tenant-7";
                    default -> Long.toString(issue);
                };
                String json = """
                        {"IssueNumber": %d, "CreatedBy": "bridge", "NoteText": "command %s #%d of issue %d"}"""
                        .formatted(issue, tag, seq, issue);
                records.add(new ProducerRecord<>(topics.commands(), (seq + i) % PARTITIONS,
                        key == null ? null : key.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8)));
                pending.add(new Produced(tag, issue, null));
            }
        }
        producerThread = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "command-producer"));
        producerThread.scheduleAtFixedRate(() -> {
            int from = sent.get();
            if (from == records.size()) {
                return;
            }
            int to = Math.min(records.size(), from + 20);
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            records.subList(from, to).forEach(r -> acks.add(producer.send(r)));
            producer.flush();
            try {
                for (int n = from; n < to; n++) {
                    RecordMetadata at = acks.get(n - from).get(30, TimeUnit.SECONDS);
                    Produced p = pending.get(n);
                    synchronized (produced) {
                        produced.add(new Produced(p.tag(), p.issue(),
                                at.topic() + "-" + at.partition() + "-" + at.offset()));
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException("could not produce", e);
            }
            sent.set(to);
            if (to == records.size()) {
                producer.close(Duration.ofSeconds(5));
            }
        }, 0, 40, TimeUnit.MILLISECONDS);
        return sent;
    }
}
