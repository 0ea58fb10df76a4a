package io.issuetrakbridge.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** How 429s lower the instance's rate and how it comes back. */
class ThrottleBackoffTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void a429HalvesTheRateWhichComesBackByAFiftiethEachSecond() {
        ThrottleBackoff backoff = new ThrottleBackoff();
        assertThat(backoff.factor(0)).isEqualTo(1.0);
        assertThat(backoff.throttled(0)).isTrue();
        assertThat(backoff.factor(0)).isEqualTo(0.5);
        assertThat(backoff.factor(SECOND / 2)).isEqualTo(0.5);
        assertThat(backoff.factor(SECOND)).isCloseTo(0.55, within(1e-9));
        assertThat(backoff.factor(4 * SECOND)).isCloseTo(0.70, within(1e-9));
        assertThat(backoff.factor(10 * SECOND)).isEqualTo(1.0);
        assertThat(backoff.factor(60 * SECOND)).isEqualTo(1.0);
    }

    @Test
    void the429sOfOneEpisodeHalveItOnce() {
        ThrottleBackoff backoff = new ThrottleBackoff();
        backoff.throttled(0);
        // Requests already under way come back 429 too: the same episode.
        assertThat(backoff.throttled(SECOND / 10)).isFalse();
        assertThat(backoff.throttled(SECOND / 2)).isFalse();
        assertThat(backoff.factor(SECOND / 2)).isEqualTo(0.5);
        // A second later it is a new one: 0.55 halved.
        assertThat(backoff.throttled(SECOND)).isTrue();
        assertThat(backoff.factor(SECOND)).isCloseTo(0.275, within(1e-9));
    }

    @Test
    void itNeverFallsBelowAnEighth() {
        ThrottleBackoff backoff = new ThrottleBackoff();
        for (int i = 0; i < 10; i++) {
            backoff.throttled(i * SECOND);
        }
        assertThat(backoff.factor(9 * SECOND)).isEqualTo(0.125);
    }
}
