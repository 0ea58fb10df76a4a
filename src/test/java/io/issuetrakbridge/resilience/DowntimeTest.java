package io.issuetrakbridge.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * The downtime that pauses consumption past bridge.pause.unavailable-threshold, with the clock given by hand
 * (ten hours of machine uptime, where a lost start would show).
 */
class DowntimeTest {

    private static final long TEN_HOURS = Duration.ofHours(10).toNanos();
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    private final Downtime downtime = new Downtime();

    @Test
    void theFirstFailureIsNoDowntimeYet() {
        assertThat(downtime.failed(TEN_HOURS)).isZero();
        assertThat(downtime.failed(TEN_HOURS + 3 * SECOND)).isEqualTo(Duration.ofSeconds(3));
        assertThat(downtime.failed(TEN_HOURS + 7 * SECOND)).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void anAnswerBetweenTwoFailuresStartsTheCountAgain() {
        downtime.failed(TEN_HOURS);
        downtime.answered();
        assertThat(downtime.failed(TEN_HOURS + 5 * SECOND)).isZero();
        assertThat(downtime.failed(TEN_HOURS + 6 * SECOND)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void anAnswerRightAfterAFailureIsNotReadAsANeverMarkedStart() {
        // The interleaving of the review: a call fails, a concurrent call's answer resets, the failed call
        // goes on. Whatever order they land in, a failure after the reset counts from itself, never from
        // "no start" (which gave now - (-1): the machine's uptime, ten hours here, and a pause).
        assertThat(downtime.failed(TEN_HOURS)).isZero();
        downtime.answered();
        assertThat(downtime.failed(TEN_HOURS)).isZero();
        downtime.answered();
        downtime.answered();
        assertThat(downtime.failed(TEN_HOURS + SECOND)).isZero();
    }

    @Test
    void aNegativeNanoTimeIsAValidStart() {
        // System.nanoTime() has an arbitrary origin and may be negative, -1 included.
        assertThat(downtime.failed(-1)).isZero();
        assertThat(downtime.failed(-1 + 2 * SECOND)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void failuresRacingAnAnswerNeverReportMoreThanTheirOwnSpan() throws Exception {
        // Many rounds of a failure and an answer on two threads at once, started together: with the start
        // marked and read apart, a reset between the two steps gave ten hours.
        for (int round = 0; round < 2_000; round++) {
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            Duration[] seen = new Duration[1];
            Thread failing = new Thread(() -> {
                await(start);
                seen[0] = downtime.failed(TEN_HOURS);
            });
            failing.start();
            await(start);
            downtime.answered();
            failing.join();
            assertThat(seen[0]).as("round %d", round).isZero();
            downtime.answered();
        }
    }

    private static void await(java.util.concurrent.CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
