package io.issuetrakbridge.observability;

import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static io.issuetrakbridge.testing.CommandTopics.headers;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.messaging.NotePipelineTest;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectCommandTopics;
import io.issuetrakbridge.testing.InjectSandbox;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

/**
 * With tracing enabled, a command's trace continues from its {@code traceparent} header through the
 * Issuetrak call to the reply.
 */
@QuarkusTest
@TestProfile(ObservabilityProfile.class)
public class TracingTest {

    @InjectCommandTopics
    CommandTopics topics;

    @InjectSandbox
    SandboxServer sandbox;

    @Inject
    RecordedSpans spans;

    @Test
    void theCommandsTraceReachesIssuetrakAndTheReply() {
        String traceId = hex(32);
        String parentSpan = hex(16);
        String id = "traced-" + UUID.randomUUID();
        long issue = 7_000 + ThreadLocalRandom.current().nextInt(1_000);
        topics.send(Long.toString(issue), NotePipelineTest.command(id, issue, "traced"),
                new RecordHeader("traceparent",
                        ("00-" + traceId + "-" + parentSpan + "-01").getBytes(StandardCharsets.UTF_8)));

        ConsumerRecord<byte[], byte[]> reply = topics.await("replies", commandIds(List.of(id)), 1).get(0);
        String replyParent = headers(reply).get("traceparent");
        assertThat(replyParent).as("the reply's traceparent").isNotNull();
        assertThat(traceIdOf(replyParent)).isEqualTo(traceId);
        assertThat(spanIdOf(replyParent)).isNotEqualTo(parentSpan);

        String httpParent = sandbox.lastTraceparent(issue).orElse(null);
        assertThat(httpParent).as("the traceparent of the POST to Issuetrak").isNotNull();
        assertThat(traceIdOf(httpParent)).isEqualTo(traceId);

        // Exported (here: to the in-memory exporter) when the SDK is on: the command's processing, a child
        // of the record's traceparent; under it the POST to Issuetrak and the reply's publication, whose
        // span IDs are what the sandbox and the reply's consumer saw.
        String processName = CommandTopics.topic("commands") + " process";
        String publishName = CommandTopics.topic("replies") + " publish";
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<SpanData> trace = spans.spans().stream().filter(span -> span.getTraceId().equals(traceId)).toList();
            SpanData process = only(trace, processName);
            assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(process.getParentSpanId()).as("parent of the processing span").isEqualTo(parentSpan);

            SpanData post = only(trace, "POST create");
            assertThat(post.getKind()).isEqualTo(SpanKind.CLIENT);
            assertThat(post.getParentSpanId()).as("parent of the POST span").isEqualTo(process.getSpanId());
            assertThat(post.getSpanId()).as("the POST's traceparent").isEqualTo(spanIdOf(httpParent));

            SpanData publish = only(trace, publishName);
            assertThat(publish.getKind()).isEqualTo(SpanKind.PRODUCER);
            assertThat(publish.getParentSpanId()).as("parent of the publish span").isEqualTo(process.getSpanId());
            assertThat(publish.getSpanId()).as("the reply's traceparent").isEqualTo(spanIdOf(replyParent));
        });
    }

    private static SpanData only(List<SpanData> trace, String name) {
        List<SpanData> named = trace.stream().filter(span -> span.getName().equals(name)).toList();
        assertThat(named).as("spans named '%s' among %s", name,
                trace.stream().map(SpanData::getName).toList()).hasSize(1);
        return named.get(0);
    }

    private static String traceIdOf(String traceparent) {
        return traceparent.split("-")[1];
    }

    private static String spanIdOf(String traceparent) {
        return traceparent.split("-")[2];
    }

    private static String hex(int digits) {
        StringBuilder hex = new StringBuilder(digits);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < digits; i++) {
            hex.append(Character.forDigit(random.nextInt(16), 16));
        }
        return hex.toString();
    }
}
