package io.issuetrakbridge.budget;

import static io.issuetrakbridge.messaging.NotePipelineTest.command;
import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.config.BudgetRule;
import io.issuetrakbridge.sandbox.RateLimits;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectCommandTopics;
import io.issuetrakbridge.testing.InjectSandbox;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;

/**
 * The bridge against a sandbox that enforces Issuetrak's rate limits, configured with the same rule: a backlog drains
 * at the rule's pace without a 429, an outside API user's share of the budget costs 429s that are absorbed, and
 * readiness costs Issuetrak nothing while traffic flows.
 */
@QuarkusTest
@TestProfile(IssuetrakBudgetTest.Budgeted.class)
class IssuetrakBudgetTest {

    /**
     * 200 requests in any 10 s (20 a second), 250 ms of arrival jitter allowed (the shared test machine delays a
     * request by more than the default 100 ms now and then: a run at 100/5s with 100 ms met two 429s), and readiness
     * probing after 3 s without an answer.
     */
    public static class Budgeted implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("issuetrak.budget.rules", RULE, "issuetrak.budget.jitter", "250ms",
                    "issuetrak.probe-after-idle", "3s");
        }
    }

    static final String RULE = "200/10s";

    @InjectCommandTopics
    CommandTopics topics;

    @InjectSandbox
    SandboxServer sandbox;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @BeforeEach
    void sameRulesAtIssuetrak() {
        sandbox.faults().reset();
        sandbox.rateLimits().rules(List.of(BudgetRule.parse(RULE)));
        sandbox.stats().reset();
    }

    @AfterEach
    void noLimits() {
        sandbox.rateLimits().outsidePerSecond(0);
        sandbox.rateLimits().rules(List.of());
    }

    @Test
    void aBacklogDrainsAtTheRulesPaceWithoutA429() {
        ConsumerTask<byte[], byte[]> replies = topics.follow("replies");
        // Longer than one window: 260 commands at about 19 a second.
        List<String> ids = backlog("drain", 260, 20_000);
        boolean[] sawWaiting = { false };

        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            // Readiness while commands wait for budget: UP, and its data says they wait.
            JsonPath ready = readiness(200);
            sawWaiting[0] |= ready.getInt("checks.find { it.name == 'issuetrak' }.data.waitingForBudget") > 0;
            return replies.getRecords().stream().filter(commandIds(ids)).count() >= ids.size();
        });
        replies.stop();

        RateLimits.RuleStats rule = sandbox.rateLimits().stats().get(RULE);
        System.out.printf("IssuetrakBudgetTest: %d commands drained; %s: %s%n", ids.size(), RULE, rule);
        assertThat(rule.throttled()).as("429s").isZero();
        assertThat(sandbox.stats().answered(Integer.valueOf(429))).isZero();
        // The busiest 10 s held at least 190 of the 200 requests the rule allows (95%), and never more: 4 at once,
        // then one each 10.25 s / 196 = 52.3 ms, 4 + 191 = 195 in the first window.
        assertThat(rule.peakInWindow()).isBetween(190, 200);
        assertThat(sawWaiting[0]).as("readiness said commands wait for budget").isTrue();
    }

    @Test
    void anOutsideUsersShareCosts429sThatAreAbsorbed() {
        // Another API user spends half of the budget: together we ask for more than Issuetrak allows.
        sandbox.rateLimits().outsidePerSecond(10);
        ConsumerTask<byte[], byte[]> replies = topics.follow("replies");
        List<String> ids = backlog("shared", 150, 30_000);

        // Every command answered, counted once: a rebalance (the first test of a fresh application can meet the
        // group's start-up one) redelivers commands whose notes exist, and their second replies must not stand in for
        // commands still waiting.
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> replies.getRecords().stream().filter(commandIds(ids))
                        .map(r -> CommandTopics.text(r.headers().lastHeader("CommandId").value())).distinct()
                        .count() == ids.size());
        replies.stop();

        System.out.printf("IssuetrakBudgetTest: with an outside user, %s: %s; outside admitted/refused %s%n", RULE,
                sandbox.rateLimits().stats().get(RULE), java.util.Arrays.toString(sandbox.rateLimits().outside()));
        assertThat(sandbox.rateLimits().stats().get(RULE).throttled()).as("429s").isPositive();
        assertThat(sandbox.stats().answered(Integer.valueOf(429))).isPositive();
        assertThat(topics.readNow("dead-letters", commandIds(ids))).isEmpty();
        assertThat(topics.readNow("errors", commandIds(ids))).isEmpty();
        // One note each, none twice.
        for (int issue = 30_000; issue < 30_150; issue++) {
            assertThat(sandbox.notes().forIssue(issue)).hasSize(1);
        }
    }

    @Test
    void readinessPolledEverySecondProbesIssuetrakOnlyWhenIdle() {
        List<String> ids = new ArrayList<>();
        long start = System.nanoTime();
        long trafficProbes = -1;
        for (int second = 0; second < 32; second++) {
            if (second <= 16) {
                // Traffic: two commands a second for 17 s.
                for (int i = 0; i < 2; i++) {
                    String id = "ready-" + UUID.randomUUID();
                    ids.add(id);
                    topics.send(Integer.toString(40_000 + ids.size()), command(id, 40_000 + ids.size(), "traffic"));
                }
            }
            if (second == 2) {
                // Polling starts once traffic flows (answers have come back); from here every request is counted.
                sandbox.stats().reset();
            }
            if (second >= 2) {
                readiness(200);
            }
            if (second == 16) {
                trafficProbes = probes();
            }
            LockSupport.parkNanos(start + TimeUnit.SECONDS.toNanos(second + 1) - System.nanoTime());
        }
        topics.await("replies", commandIds(ids), ids.size());

        // While answers kept coming, readiness took them as the evidence: 15 polls, no probe.
        assertThat(trafficProbes).as("probes during traffic").isZero();
        // Then 15 s idle with probe-after-idle=3s: a probe's answer counts as traffic, so one every 3 s at most
        // (1 + 15 / 3), and at least one every 3 s plus the poll's second (15 / 4, rounded down).
        assertThat(probes()).as("probes when idle").isBetween(3L, 6L);
    }

    /** Requests that were not creates: the readiness probes, as no reconciliation runs in these tests. */
    private long probes() {
        return sandbox.stats().byStatus().entrySet().stream().filter(e -> e.getKey() != 201)
                .mapToLong(Map.Entry::getValue).sum();
    }

    private List<String> backlog(String prefix, int count, int firstIssue) {
        List<String> ids = new ArrayList<>();
        List<CommandTopics.Keyed> commands = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = prefix + "-" + UUID.randomUUID();
            ids.add(id);
            // One issue each: commands of one issue go one after another, and the test is about the budget's pace.
            commands.add(new CommandTopics.Keyed(Integer.toString(firstIssue + i), command(id, firstIssue + i, prefix)));
        }
        topics.sendAll(commands);
        return ids;
    }

    private JsonPath readiness(int status) {
        Response response = RestAssured.given().baseUri("http://" + management.getHost()).port(management.getPort())
                .get("/q/health/ready");
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
        return response.jsonPath();
    }
}
