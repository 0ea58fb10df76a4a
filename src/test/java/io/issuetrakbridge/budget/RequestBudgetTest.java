package io.issuetrakbridge.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.issuetrakbridge.config.BudgetRule;
import io.issuetrakbridge.config.TestConfigs;
import io.issuetrakbridge.issuetrak.CallContext;
import io.issuetrakbridge.metrics.BridgeMetrics;
import io.issuetrakbridge.scheduling.Priority;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;

/** Spending through the budget: waits kept per command, 429s lowering the rate, meters per rule. */
class RequestBudgetTest {

    @Test
    void requestsWaitTheirTurnAndTheCommandsWaitIsKeptApart() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // One at once, then one each 250 ms.
        RequestBudget budget = new RequestBudget(List.of(BudgetRule.parse("5/1s")), 0.02, Duration.ZERO, new BridgeMetrics(registry));
        CallContext command = CallContext.of("c-1", 1L);
        budget.track(command);
        long[] sentAt = new long[3];
        List<Integer> answers = Uni.join().all(
                budget.spend(false, "get", command, () -> sent(sentAt, 0, 200), s -> s),
                budget.spend(false, "get", command, () -> sent(sentAt, 1, 200), s -> s),
                budget.spend(true, "create", command, () -> sent(sentAt, 2, 201), s -> s))
                .andFailFast().await().atMost(Duration.ofSeconds(10));
        assertThat(answers).containsExactly(200, 200, 201);
        // The first leaves at once; the third only when two spacings have passed since the first took its token.
        assertThat(Duration.ofNanos(sentAt[2] - sentAt[0])).isGreaterThan(Duration.ofMillis(450));
        assertThat(budget.waited(command)).isPositive();
        assertThat(budget.lastAnswer()).isPresent();
        assertThat(registry.get("issuetrak.bridge.budget.used").tag("rule", "5/1s").gauge().value()).isEqualTo(3.0);
        assertThat(registry.get("issuetrak.bridge.budget.limit").tag("rule", "5/1s").gauge().value()).isEqualTo(5.0);
        assertThat(registry.get("issuetrak.bridge.budget.wait").tag("operation", "get").timer().count()).isEqualTo(2);
        budget.untrack(command);
        assertThat(budget.waited(command)).isZero();
    }

    /**
     * The tight rule allows one request at once, then one each 250 ms; the other, where there is one, lets 20 go at
     * once: the holder leaves at once, A, B and C wait for three turns of the tight rule (a write takes a token of
     * the writes bucket, then of the all-requests one: the lane holds at either).
     */
    @ParameterizedTest
    @CsvSource({ "5/1s, false", "5/1s/writes;1000/1s, true", "1000/1s/writes;5/1s, true" })
    void aHighPriorityRequestTakesTheNextTurnAheadOfNormalOnesQueuedBeforeIt(String rules, boolean write) {
        RequestBudget budget = new RequestBudget(Arrays.stream(rules.split(";")).map(BudgetRule::parse).toList(), 0.02,
                Duration.ZERO, new BridgeMetrics(new SimpleMeterRegistry()));
        List<String> sent = Collections.synchronizedList(new ArrayList<>());
        CallContext normal = CallContext.of("normal", 1L);
        CallContext high = new CallContext("high", 2L, null, Priority.HIGH);
        List<CompletableFuture<Integer>> answers = List.of(
                spend(budget, write, normal, "holder", sent),
                spend(budget, write, normal, "A", sent),
                spend(budget, write, normal, "B", sent),
                spend(budget, write, high, "C", sent));
        assertThat(sent).containsExactly("holder");
        assertThat(budget.waiting()).isEqualTo(3);

        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();

        assertThat(sent).containsExactly("holder", "C", "A", "B");
        assertThat(budget.waiting()).isZero();
    }

    /** Spends, noting the request's name when it is sent. */
    private static CompletableFuture<Integer> spend(RequestBudget budget, boolean write, CallContext command,
            String name, List<String> sent) {
        return budget.spend(write, write ? "create" : "get", command, () -> {
            sent.add(name);
            return Uni.createFrom().item(write ? 201 : 200);
        }, s -> s).subscribeAsCompletionStage();
    }

    private static Uni<Integer> sent(long[] sentAt, int index, int status) {
        sentAt[index] = System.nanoTime();
        return Uni.createFrom().item(status);
    }

    @Test
    void a429HalvesThisInstancesAllowanceAndIsChargedToTheFullestRule() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RequestBudget budget = new RequestBudget(List.of(BudgetRule.parse("1000/1h"), BudgetRule.parse("4/1s/writes")),
                0.02, Duration.ZERO, new BridgeMetrics(registry));
        CallContext none = CallContext.none();
        budget.spend(true, "create", none, () -> Uni.createFrom().item(201), s -> s).await().atMost(Duration.ofSeconds(5));
        budget.spend(true, "create", none, () -> Uni.createFrom().item(429), s -> s).await().atMost(Duration.ofSeconds(5));
        // Two writes of 4 a second fill that rule more than two of 1000 an hour fill the other.
        assertThat(registry.get("issuetrak.bridge.budget.throttled").tag("rule", "4/1s/writes").counter().count())
                .isEqualTo(1.0);
        assertThat(budget.allowances()).extracting(RuleAllowance::requests).containsExactly(500.0, 2.0);
        assertThat(registry.get("issuetrak.bridge.budget.throttle.factor").gauge().value()).isEqualTo(0.5);
    }

    @Test
    void withoutRulesNothingWaitsButAnswersStillCountForReadiness() {
        RequestBudget budget = new RequestBudget(TestConfigs.issuetrak(Map.of("base-url", "http://127.0.0.1:1")));
        assertThat(budget.enforced()).isFalse();
        assertThat(budget.lastAnswer()).isEmpty();
        budget.spend(false, "probe", CallContext.none(), () -> Uni.createFrom().item(503), s -> s)
                .await().atMost(Duration.ofSeconds(5));
        // A 503 is no evidence that Issuetrak serves us.
        assertThat(budget.lastAnswer()).isEmpty();
        // Nor a 404: IIS answers an unknown route before any signature check, so a wrong base URL would look healthy.
        budget.spend(true, "create", CallContext.none(), () -> Uni.createFrom().item(404), s -> s)
                .await().atMost(Duration.ofSeconds(5));
        assertThat(budget.lastAnswer()).isEmpty();
        // Nor a redirect (HTTP to HTTPS, a login page): not the API.
        budget.spend(false, "get", CallContext.none(), () -> Uni.createFrom().item(302), s -> s)
                .await().atMost(Duration.ofSeconds(5));
        assertThat(budget.lastAnswer()).isEmpty();
        // A 400 (e.g. no such issue) comes from the API after it verified our signature.
        budget.spend(false, "probe", CallContext.none(), () -> Uni.createFrom().item(400), s -> s)
                .await().atMost(Duration.ofSeconds(5));
        assertThat(budget.lastAnswer()).isPresent();
    }

    @Test
    void rulesAreReadFromConfigurationAsIssuetrakListsThem() {
        var config = TestConfigs.issuetrak(Map.of("base-url", "http://127.0.0.1:1",
                "budget.rules", "20/1s, 5/1s/writes,100/1m,100/10m,1000/1h,1000/12h"));
        assertThat(config.budget().rules().orElseThrow()).extracting(BudgetRule::name)
                .containsExactly("20/1s", "5/1s/writes", "100/1m", "100/10m", "1000/1h", "1000/12h");
        assertThat(config.budget().rules().orElseThrow().get(1))
                .isEqualTo(new BudgetRule(5, Duration.ofSeconds(1), true));
    }
}
