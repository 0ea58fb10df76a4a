package io.issuetrakbridge.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.issuetrak.IssuetrakException;

class FailurePolicyTest {

    private static BridgeConfig.Retry retry(int maxAttempts, Duration budget) {
        return new BridgeConfig.Retry() {
            public Duration initialDelay() {
                return Duration.ofMillis(100);
            }

            public double multiplier() {
                return 2.0;
            }

            public Duration maxDelay() {
                return Duration.ofSeconds(5);
            }

            public int maxAttempts() {
                return maxAttempts;
            }

            public Duration budget() {
                return budget;
            }
        };
    }

    private final FailurePolicy top = new FailurePolicy(retry(10, Duration.ofMinutes(5)), Duration.ofSeconds(2), () -> 0.999999);

    @Test
    void neverRetriesARejection() {
        assertThat(top.decide(new IssuetrakException.Rejected(400, "no"), 1, Duration.ZERO).action())
                .isEqualTo(Decision.Action.GIVE_UP);
    }

    @Test
    void pausesOnUnauthorized() {
        assertThat(top.decide(new IssuetrakException.Unauthorized(401, "key"), 1, Duration.ZERO).action())
                .isEqualTo(Decision.Action.PAUSE);
    }

    @Test
    void backsOffExponentiallyUpToTheMaximumWithFullJitter() {
        IssuetrakException down = new IssuetrakException.Unavailable(503, "down", null);
        assertThat(top.decide(down, 1, Duration.ZERO).delay()).isBetween(Duration.ofMillis(99), Duration.ofMillis(100));
        assertThat(top.decide(down, 3, Duration.ZERO).delay()).isBetween(Duration.ofMillis(399), Duration.ofMillis(400));
        assertThat(top.decide(down, 9, Duration.ZERO).delay()).isBetween(Duration.ofMillis(4999), Duration.ofSeconds(5));
        FailurePolicy bottom = new FailurePolicy(retry(10, Duration.ofMinutes(5)), Duration.ofSeconds(2), () -> 0.0);
        assertThat(bottom.decide(down, 5, Duration.ZERO).delay()).isZero();
    }

    @Test
    void honoursRetryAfterCappedByTheMaximumDelay() {
        assertThat(top.decide(new IssuetrakException.Throttled("slow down", Duration.ofSeconds(2)), 1, Duration.ZERO)
                .delay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(top.decide(new IssuetrakException.Throttled("slow down", Duration.ofHours(1)), 1, Duration.ZERO)
                .delay()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void givesUpWhenAttemptsOrTheBudgetRunOut() {
        IssuetrakException down = new IssuetrakException.Unavailable(503, "down", null);
        assertThat(top.decide(down, 10, Duration.ZERO).action()).isEqualTo(Decision.Action.GIVE_UP);
        assertThat(top.decide(down, 2, Duration.ofMinutes(5)).action()).isEqualTo(Decision.Action.GIVE_UP);
        assertThat(top.decide(down, 2, Duration.ofMinutes(1)).action()).isEqualTo(Decision.Action.RETRY);
    }

    @Test
    void a429IsRetriedPastTheAttemptsAsLongAsTheRetryBudgetLasts() {
        IssuetrakException throttled = new IssuetrakException.Throttled("slow down", Duration.ofSeconds(1));
        assertThat(top.decide(throttled, 10, Duration.ofMinutes(1)).action()).isEqualTo(Decision.Action.RETRY);
        assertThat(top.decide(throttled, 50, Duration.ofMinutes(4)).action()).isEqualTo(Decision.Action.RETRY);
        assertThat(top.decide(throttled, 50, Duration.ofMinutes(5)).action()).isEqualTo(Decision.Action.GIVE_UP);
    }

    @Test
    void anAmbiguousOutcomeIsReconciledBeforeTheNextSend() {
        Decision d = top.decide(new IssuetrakException.Ambiguous("timeout", null), 1, Duration.ZERO);
        assertThat(d.action()).isEqualTo(Decision.Action.RETRY);
        assertThat(d.reconcileFirst()).isTrue();
        // Never sooner than the settle time: the request may still be running on Issuetrak's side.
        assertThat(d.delay()).isEqualTo(Duration.ofSeconds(2));
    }
}
