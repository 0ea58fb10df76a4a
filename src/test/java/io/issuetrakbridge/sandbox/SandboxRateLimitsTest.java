package io.issuetrakbridge.sandbox;

import static io.issuetrakbridge.sandbox.SandboxTestClient.noteJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.config.BudgetRule;

/** Issuetrak's rate limits as the sandbox enforces them: 429s with Retry-After, counted per rule. */
class SandboxRateLimitsTest extends DefaultSandboxTestSupport {

    private static final String NOTES = "/api/v1/notes";
    private static final ObjectMapper JSON = new ObjectMapper();

    @AfterEach
    void noLimits() {
        sandbox.rateLimits().rules(List.of());
        sandbox.rateLimits().outsidePerSecond(0);
    }

    @Test
    void aRuleRefusesTheRequestPastItsLimitWithRetryAfterAndCountsIt() throws Exception {
        sandbox.rateLimits().rules(List.of(BudgetRule.parse("3/1m")));

        for (int i = 0; i < 3; i++) {
            assertThat(client.get(NOTES + "/issue/6").statusCode()).isEqualTo(200);
        }
        HttpResponse<String> refused = client.get(NOTES + "/issue/6");

        assertThat(refused.statusCode()).isEqualTo(429);
        // The oldest of the three leaves the minute in at most 60 s, at least 59 s given how quick the three were.
        assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(50L, 60L);
        JsonNode limits = JSON.readTree(client.admin("GET", "/rate-limits", null).body());
        assertThat(limits.get("rules").get(0).asText()).isEqualTo("3/1m");
        assertThat(limits.at("/byRule/3~11m/admitted").asLong()).isEqualTo(3);
        assertThat(limits.at("/byRule/3~11m/throttled").asLong()).isEqualTo(1);
        assertThat(limits.at("/byRule/3~11m/peakInWindow").asLong()).isEqualTo(3);
        assertThat(sandbox.stats().answered(Integer.valueOf(429))).isEqualTo(1);
    }

    @Test
    void aWritesRuleCountsOnlyWritesAndARefusedRequestIsNotCounted() {
        client.admin("PUT", "/rate-limits", "{\"rules\": [\"1/1m/writes\", \"10/1m\"]}");

        assertThat(client.post(NOTES, noteJson(6, "Admin", "first")).statusCode()).isEqualTo(201);
        assertThat(client.post(NOTES, noteJson(6, "Admin", "second")).statusCode()).isEqualTo(429);
        assertThat(client.get(NOTES + "/issue/6").statusCode()).isEqualTo(200);

        assertThat(sandbox.rateLimits().stats().get("1/1m/writes"))
                .isEqualTo(new RateLimits.RuleStats(1, 1, 1));
        // The refused POST is not in the all-requests rule: two requests counted, the POST and the GET.
        assertThat(sandbox.rateLimits().stats().get("10/1m")).isEqualTo(new RateLimits.RuleStats(2, 0, 2));
        assertThat(sandbox.notes().size()).isEqualTo(1);
    }

    @Test
    void anOutsideClientSpendsTheSameBudget() {
        client.admin("PUT", "/rate-limits", "{\"rules\": [\"5/1h\"], \"outsidePerSecond\": 50}");

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sandbox.rateLimits().outside()[1] > 0);

        assertThat(sandbox.rateLimits().outside()[0]).isEqualTo(5);
        assertThat(client.get(NOTES + "/issue/6").statusCode()).isEqualTo(429);
        client.admin("DELETE", "/rate-limits", null);
        assertThat(client.get(NOTES + "/issue/6").statusCode()).isEqualTo(200);
    }

    @Test
    void badRulesAreRefusedNamingTheProblem() {
        HttpResponse<String> refused = client.admin("PUT", "/rate-limits", "{\"rules\": [\"20 a second\"]}");

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("20/1s");
        assertThat(RateLimits.parse("20/1s, 5/1s/writes")).containsExactly(BudgetRule.parse("20/1s"),
                BudgetRule.parse("5/1s/writes"));
        assertThat(RateLimits.parse(" ")).isEmpty();
    }
}
