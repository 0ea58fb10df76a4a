package io.issuetrakbridge.scheduling;

import static io.issuetrakbridge.messaging.NotePipelineTest.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;

import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectCommandTopics;
import io.issuetrakbridge.testing.InjectSandbox;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * The priority lane past the window: a high-priority command admitted while the window's normal commands wait for
 * the request budget is sent on the budget's next turn, not behind them. Real broker, real sandbox over HTTP; the
 * sandbox numbers notes in the order it creates them, so the assertions are about creation order. (It does not
 * enforce the rule here: a 429 caused by the shared machine delaying requests would reorder the notes by retries.
 * The pace is IssuetrakBudgetTest's; overtaking only changes who leaves on each of the budget's turns.)
 */
@QuarkusTest
@TestProfile(PriorityAtTheGatesTest.TightBudget.class)
class PriorityAtTheGatesTest {

    /**
     * 4 requests a second: one at once, then one each (1 s + 250 ms jitter) / 3 = 417 ms, so the window's commands
     * wait seconds for the budget. The jitter as in IssuetrakBudgetTest, for the shared test machine.
     */
    public static class TightBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("issuetrak.budget.rules", RULE, "issuetrak.budget.jitter", "250ms");
        }
    }

    static final String RULE = "4/1s";
    private static final String BUDGET_WAITING = "issuetrak_bridge_commands_waiting{reason=\"budget\"";

    @InjectCommandTopics
    CommandTopics topics;

    @InjectSandbox
    SandboxServer sandbox;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @BeforeEach
    void healthy() {
        sandbox.faults().reset();
    }

    @Test
    void aHighPriorityCommandIsSentBeforeTheNormalOnesQueuedAtTheBudget() {
        long base = 600_000 + (long) (Math.random() * 300) * 1_000; // the sandbox's issues end at 1,000,000
        // A first note, so that the backlog finds the bridge warm (a cold first request takes a second).
        topics.send(Long.toString(base - 1), command("warm-up-" + UUID.randomUUID(), base - 1, "warm-up"));
        await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.notes().forIssue(base - 1).size() == 1);
        // 15 normal commands of 15 issues: all inside the window of 16 (room left for the high one), one sent at once,
        // the rest queued at the budget.
        List<CommandTopics.Keyed> backlog = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            backlog.add(new CommandTopics.Keyed(Long.toString(base + i),
                    command("normal-" + i + "-" + UUID.randomUUID(), base + i, "normal")));
        }
        topics.sendAll(backlog);
        // Every one of them has reached the budget (its partition's records can come a second after the others'), and
        // at least 8 still wait there.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            double waiting = budgetWaiting();
            long created = LongStream.range(0, 15).filter(i -> !sandbox.notes().forIssue(base + i).isEmpty()).count();
            return waiting >= 8 && waiting + created >= 15;
        });
        long lastBeforeUrgent = sandbox.notes().all().stream().mapToLong(ReadNote::noteId).max().orElse(0);
        long urgentIssue = base + 999;
        topics.send(Long.toString(urgentIssue), command("urgent-" + UUID.randomUUID(), urgentIssue, "urgent"),
                new RecordHeader(CommandScheduler.PRIORITY_HEADER, "high".getBytes(StandardCharsets.UTF_8)));

        await().atMost(Duration.ofSeconds(60)).until(() -> LongStream.range(0, 15)
                .allMatch(i -> sandbox.notes().forIssue(base + i).size() == 1)
                && sandbox.notes().forIssue(urgentIssue).size() == 1);

        long urgent = sandbox.notes().forIssue(urgentIssue).get(0).noteId();
        long normalsAfterUrgent = LongStream.range(0, 15)
                .filter(i -> sandbox.notes().forIssue(base + i).get(0).noteId() > urgent).count();
        // At least 8 normal commands were queued at the budget when it was produced; first come, first served, it
        // would have been created after all of them. It is created on the budget's next turn instead: after at most
        // the one already sent and those whose turns came while its record travelled to the bridge (417 ms each).
        assertThat(urgent - lastBeforeUrgent).isLessThanOrEqualTo(3);
        assertThat(normalsAfterUrgent).isGreaterThanOrEqualTo(6);
        assertThat(budgetWaiting()).isZero();
    }

    /** {@code commands_waiting{reason="budget"}} on the management port's /q/metrics. */
    private double budgetWaiting() {
        String metrics = RestAssured.given().baseUri("http://" + management.getHost()).port(management.getPort())
                .get("/q/metrics").then().statusCode(200).extract().asString();
        String line = metrics.lines().filter(l -> l.startsWith(BUDGET_WAITING)).findFirst()
                .orElseThrow(() -> new AssertionError(BUDGET_WAITING + " not on /q/metrics"));
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
