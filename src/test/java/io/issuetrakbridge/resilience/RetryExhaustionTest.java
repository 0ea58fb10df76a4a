package io.issuetrakbridge.resilience;

import static io.issuetrakbridge.messaging.NotePipelineTest.command;
import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectCommandTopics;
import io.issuetrakbridge.testing.InjectSandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** When intermittent failures outlast the attempts, the command ends in a retryable error and a dead letter. */
@QuarkusTest
@TestProfile(RetryExhaustionTest.FewAttempts.class)
class RetryExhaustionTest {

    /** Three attempts, and a circuit that never opens, so the attempts are what runs out. */
    public static class FewAttempts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.retry.max-attempts", "3", "bridge.pause.unavailable-threshold", "1h");
        }
    }

    @InjectCommandTopics
    CommandTopics topics;

    @InjectSandbox
    SandboxServer sandbox;

    @Test
    void retriesThatRunOutEndInARetryableErrorAndADeadLetter() throws Exception {
        sandbox.faults().errorRate(1.0);
        try {
            String id = "exhausted-" + UUID.randomUUID();
            topics.send("1", command(id, 1, "never"));
            JsonNode error = new ObjectMapper().readTree(topics.await("errors", commandIds(List.of(id)), 1).get(0).value());
            assertThat(error.get("Category").asText()).isEqualTo("UNAVAILABLE");
            assertThat(error.get("Retryable").asBoolean()).isTrue();
            assertThat(error.get("Status").asInt()).isEqualTo(500);
            assertThat(error.get("Attempts").asInt()).isEqualTo(3);
            Map<String, String> dead = CommandTopics.headers(topics.await("dead-letters", commandIds(List.of(id)), 1).get(0));
            assertThat(dead).containsEntry("dead-letter-category", "UNAVAILABLE")
                    .containsEntry("dead-letter-attempts", "3")
                    .containsEntry("dead-letter-reason", "Issuetrak answered 500 to POST /api/v1/notes: An error has occurred.")
                    .containsEntry("dead-letter-exception-class-name",
                            "io.issuetrakbridge.issuetrak.IssuetrakException$Unavailable");
            // An answer is the whole story: SmallRye writes dead-letter-cause only for a failure with a cause.
            assertThat(dead).doesNotContainKeys("dead-letter-cause", "dead-letter-cause-class-name");
            assertThat(sandbox.notes().forIssue(1).stream().filter(n -> n.noteText().equals("never"))).isEmpty();
        } finally {
            sandbox.faults().reset();
        }
    }

    @Test
    void lostConnectionsThatRunOutEndInAnAmbiguousDeadLetterWhoseCauseIsTheTransportFailure() throws Exception {
        // Every request's connection is closed unanswered: the create and both looks for its note fail, each an
        // AMBIGUOUS attempt.
        sandbox.faults().dropRate(1.0);
        try {
            String id = "dropped-" + UUID.randomUUID();
            topics.send("2", command(id, 2, id));
            JsonNode error = new ObjectMapper().readTree(topics.await("errors", commandIds(List.of(id)), 1).get(0).value());
            assertThat(error.get("Category").asText()).isEqualTo("AMBIGUOUS");
            assertThat(error.get("Attempts").asInt()).isEqualTo(3);
            Map<String, String> dead = CommandTopics.headers(topics.await("dead-letters", commandIds(List.of(id)), 1).get(0));
            assertThat(dead).containsEntry("dead-letter-category", "AMBIGUOUS")
                    .containsEntry("dead-letter-reason", "Connection to Issuetrak lost during GET /api/v1/notes/issue/2; "
                            + "it may have taken effect: HttpClosedException: Connection was closed")
                    .containsEntry("dead-letter-exception-class-name",
                            "io.issuetrakbridge.issuetrak.IssuetrakException$Ambiguous")
                    .containsEntry("dead-letter-cause", "Connection was closed")
                    .containsEntry("dead-letter-cause-class-name", "io.vertx.core.http.HttpClosedException");
        } finally {
            sandbox.faults().reset();
        }
    }
}
