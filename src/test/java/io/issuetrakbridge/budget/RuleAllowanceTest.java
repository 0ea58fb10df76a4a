package io.issuetrakbridge.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.LocalBucketBuilder;
import io.issuetrakbridge.config.BudgetRule;

/** The rule arithmetic: what one instance may send of a rule, and that its bucket keeps every window to the limit. */
class RuleAllowanceTest {

    private static final double BURST = 0.02;
    private static final Duration NO_JITTER = Duration.ZERO;

    @Test
    void aWholeRuleGoesOneRequestAtOnceAndTheRestEvenlyOverTheWindow() {
        RuleAllowance a = RuleAllowance.of(BudgetRule.parse("20/1s"), 1.0, 1.0, BURST, NO_JITTER);
        assertThat(a.requests()).isEqualTo(20.0);
        // 2% of 20 is 0.4: at least one request may always go at once.
        assertThat(a.capacity()).isEqualTo(1);
        // The other 19 spread over the second: one each 1/19 s, rounded up to the nanosecond.
        assertThat(a.spacing()).isEqualTo(Duration.ofNanos(52_631_579));
        assertThat(a.guaranteed()).isTrue();
    }

    @Test
    void theJitterAllowanceStretchesTheWindowTheRefillIsSpreadOver() {
        RuleAllowance a = RuleAllowance.of(BudgetRule.parse("100/5s"), 1.0, 1.0, BURST, Duration.ofMillis(100));
        assertThat(a.capacity()).isEqualTo(2);
        // 98 requests over 5.1 s: one each 52.040816... ms, 96% of the rule's 20 a second.
        assertThat(a.spacing()).isEqualTo(Duration.ofNanos(52_040_817));
    }

    @Test
    void aLongWindowKeepsTwoPercentForABurst() {
        RuleAllowance a = RuleAllowance.of(BudgetRule.parse("1000/12h"), 1.0, 1.0, BURST, NO_JITTER);
        assertThat(a.capacity()).isEqualTo(20);
        // 980 requests over 43,200 s: one every 44.081632653... s.
        assertThat(a.spacing()).isEqualTo(Duration.ofNanos(44_081_632_654L));
    }

    @Test
    void aShareAndAThrottleFactorScaleTheLimit() {
        RuleAllowance third = RuleAllowance.of(BudgetRule.parse("60/1m"), 1.0 / 3, 1.0, BURST, NO_JITTER);
        assertThat(third.requests()).isCloseTo(20.0, within(1e-9));
        assertThat(third.capacity()).isEqualTo(1);
        // 19 requests over 60 s.
        assertThat(third.spacing().toNanos()).isCloseTo(3_157_894_737L, within(1L));

        RuleAllowance halved = RuleAllowance.of(BudgetRule.parse("60/1m"), 1.0 / 3, 0.5, BURST, NO_JITTER);
        assertThat(halved.requests()).isCloseTo(10.0, within(1e-9));
        // 9 requests over 60 s.
        assertThat(halved.spacing().toNanos()).isCloseTo(6_666_666_667L, within(1L));
    }

    @Test
    void lessThanOneRequestAWindowIsSentAtMostOnceAWindowAndFlagged() {
        // Five writes a second over six instances with one partition each: 5/6 of a request each.
        RuleAllowance a = RuleAllowance.of(BudgetRule.parse("5/1s/writes"), 1.0 / 6, 1.0, BURST, NO_JITTER);
        assertThat(a.guaranteed()).isFalse();
        assertThat(a.capacity()).isEqualTo(1);
        assertThat(a.spacing().toNanos()).isCloseTo(1_200_000_000L, within(1L));
    }

    @Test
    void aBacklogThroughTheBucketNeverPutsMoreThanTheLimitInAnyWindow() {
        AtomicLong now = new AtomicLong();
        Bucket bucket = bucket(now, "20/1s");
        // 100 commands arrive at once; each reserves its turn.
        List<Long> sendTimes = reserve(bucket, now, 100);
        assertThat(sendTimes.get(0)).isZero();
        assertThat(sendTimes.get(1)).isEqualTo(52_631_579L);
        // The 100th leaves after 99 spacings: 5.2105 s, i.e. 19 a second.
        assertThat(sendTimes.get(99)).isEqualTo(99 * 52_631_579L);
        assertThat(mostInAnyWindow(sendTimes, 1_000_000_000L)).isEqualTo(19);
    }

    @Test
    void allRulesHoldAtOnceAndTheTightestSetsThePace() {
        AtomicLong now = new AtomicLong();
        Bucket bucket = bucket(now, "20/1s", "100/1m");
        List<Long> sendTimes = reserve(bucket, now, 300);
        assertThat(mostInAnyWindow(sendTimes, 1_000_000_000L)).isLessThanOrEqualTo(20);
        // 100/1m: 2 at once, then one each 60/98 s: 2 + 97 in the first minute.
        assertThat(mostInAnyWindow(sendTimes, 60_000_000_000L)).isEqualTo(99);
    }

    @Test
    void aBucketThatIdledHoldsItsBurstAndNoMore() {
        AtomicLong now = new AtomicLong();
        Bucket bucket = bucket(now, "1000/12h");
        now.set(Duration.ofHours(24).toNanos());
        List<Long> sendTimes = reserve(bucket, now, 21);
        // 20 at once, the 21st one spacing later.
        assertThat(sendTimes.subList(0, 20)).allMatch(t -> t == Duration.ofHours(24).toNanos());
        assertThat(sendTimes.get(20)).isEqualTo(Duration.ofHours(24).toNanos() + 44_081_632_654L);
    }

    private static Bucket bucket(AtomicLong now, String... rules) {
        LocalBucketBuilder builder = Bucket.builder().withCustomTimePrecision(new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return now.get();
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        });
        for (String rule : rules) {
            builder.addLimit(RuleAllowance.of(BudgetRule.parse(rule), 1.0, 1.0, BURST, NO_JITTER).bandwidth());
        }
        return builder.build();
    }

    /** Reserves one token per request at the current time, as RequestBudget does: each learns when it may go. */
    private static List<Long> reserve(Bucket bucket, AtomicLong now, int requests) {
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            times.add(now.get() + bucket.consumeIgnoringRateLimits(1));
        }
        return times;
    }

    /** The most send times in any half-open window [t, t + length), over windows starting at each send. */
    private static int mostInAnyWindow(List<Long> sorted, long length) {
        int most = 0;
        int end = 0;
        for (int start = 0; start < sorted.size(); start++) {
            while (end < sorted.size() && sorted.get(end) - sorted.get(start) < length) {
                end++;
            }
            most = Math.max(most, end - start);
        }
        return most;
    }
}
