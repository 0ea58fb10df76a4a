package io.issuetrakbridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import io.issuetrakbridge.config.ApiKey;

/**
 * The sandbox's verifier against signatures computed outside Java, and its bounded replay memory. Vectors:
 *
 * <pre>
 * printf 'POST\n3f2504e0-4f89-11d3-9a0c-0305e82c3301\n2014-09-10T17:28:08.3227351Z\n/issuetrak/api/v1/notes\n?x=1\n{"NoteText":"Zo\xc3\xab"}' \
 *   | openssl dgst -sha512 -hmac 'dGVzdC1vbmx5LWtleS1ub3QtYS1zZWNyZXQtMzJieXQ=' -binary | base64 -w0
 * printf 'GET\n3f2504e0-4f89-11d3-9a0c-0305e82c3301\n2014-09-10T17:28:08.3227351Z\n/api/v1/notes/102\n\n' \
 *   | openssl dgst -sha512 -hmac 'dGVzdC1vbmx5LWtleS1ub3QtYS1zZWNyZXQtMzJieXQ=' -binary | base64 -w0
 * </pre>
 */
class SandboxRequestAuthenticatorTest {

    private static final ApiKey KEY = ApiKey.of("dGVzdC1vbmx5LWtleS1ub3QtYS1zZWNyZXQtMzJieXQ=");
    private static final String TIMESTAMP = "2014-09-10T17:28:08.3227351Z";
    private static final Clock AT_TIMESTAMP = Clock.fixed(Instant.parse("2014-09-10T17:28:10Z"), ZoneOffset.UTC);
    private static final String POST_SIGNATURE =
            "vJU3em6nUrLCee27nosudgo11rszajypRpT5PMFJ6ov5UkdFItStzHzvEnsP+XjFMh1kw5GE1K9xog8dUbb5gw==";
    private static final String GET_SIGNATURE =
            "/+j1mj2xUR+rHnsKm5BiqH5VkBYvG0/B6S7wS8DlNyQdUB2Z0nSgKabK1jzCbsDdms8H6Sn2yR53/RxiE4NA4Q==";

    @Test
    void acceptsOpensslVectorWithPrefixQueryAndNonAsciiBody() {
        RequestAuthenticator auth = new RequestAuthenticator(KEY, Duration.ofMinutes(5), AT_TIMESTAMP);

        // Path and request ID in other case than signed: both are lower-cased for signing.
        assertThat(auth.verify("POST", "/Issuetrak/API/v1/notes", "x=1", new RequestAuthenticator.Credentials(
                TIMESTAMP, "3F2504E0-4F89-11D3-9A0C-0305E82C3301", POST_SIGNATURE),
                "{\"NoteText\":\"Zoë\"}".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void acceptsOpensslVectorForGetWithEmptyQueryAndBody() {
        RequestAuthenticator auth = new RequestAuthenticator(KEY, Duration.ofMinutes(5), AT_TIMESTAMP);

        assertThat(auth.verify("GET", "/api/v1/notes/102", null, new RequestAuthenticator.Credentials(TIMESTAMP,
                "3f2504e0-4f89-11d3-9a0c-0305e82c3301", GET_SIGNATURE), new byte[0])).isEmpty();
    }

    @Test
    void refusesTheVectorUnderAnotherKeyWithoutRevealingEitherKey() {
        RequestAuthenticator auth = new RequestAuthenticator(ApiKey.of("b3RoZXIta2V5"), Duration.ofMinutes(5),
                AT_TIMESTAMP);

        assertThat(auth.verify("GET", "/api/v1/notes/102", null, new RequestAuthenticator.Credentials(TIMESTAMP,
                "3f2504e0-4f89-11d3-9a0c-0305e82c3301", GET_SIGNATURE), new byte[0]))
                .hasValueSatisfying(reason -> assertThat(reason).contains("signature does not match")
                        .doesNotContain("b3RoZXIta2V5").doesNotContain(KEY.reveal()));
    }

    @Test
    void replayMemoryForgetsIdsOnceTheirTimestampHasExpired() {
        ReplayGuard guard = new ReplayGuard();

        assertThat(guard.firstUse("a", 1_000, 0)).isTrue();
        assertThat(guard.firstUse("a", 1_000, 500)).isFalse();
        assertThat(guard.firstUse("b", 1_500, 600)).isTrue();
        assertThat(guard.size()).isEqualTo(2);

        // Past a's expiry: the next check evicts it, and the ID is usable again (its old timestamp is not).
        assertThat(guard.firstUse("c", 3_000, 1_200)).isTrue();
        assertThat(guard.size()).isEqualTo(2);
        assertThat(guard.firstUse("b", 3_000, 1_300)).isFalse();
        assertThat(guard.firstUse("a", 3_000, 1_300)).isTrue();
    }

    @Test
    void replayMemoryStaysBoundedUnderSustainedTraffic() {
        ReplayGuard guard = new ReplayGuard();
        long window = 1_000;
        for (long now = 0; now < 100_000; now++) {
            guard.firstUse("id-" + now, now + window, now);
        }
        // One request per millisecond, remembered for a 1 s window: about a thousand IDs, not a hundred thousand.
        assertThat(guard.size()).isLessThanOrEqualTo((int) window + 1);
    }
}
