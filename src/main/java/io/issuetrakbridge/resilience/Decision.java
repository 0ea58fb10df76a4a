package io.issuetrakbridge.resilience;

import java.time.Duration;

/**
 * What to do after a failed attempt, as decided by {@link FailurePolicy}.
 *
 * @param action the next step
 * @param delay how long to wait before the next attempt ({@link Action#RETRY} only)
 * @param reconcileFirst whether the next attempt must first look for a note the last one may have
 *        created (after an AMBIGUOUS outcome)
 */
public record Decision(Action action, Duration delay, boolean reconcileFirst) {

    /** The next step for a command whose attempt failed. */
    public enum Action {
        /** Wait {@code delay}, then try again. */
        RETRY,
        /** Stop all sending until Issuetrak accepts us again, then try again; costs no attempt budget. */
        PAUSE,
        /** Publish an error and dead-letter the command. */
        GIVE_UP
    }

    static Decision retry(Duration delay, boolean reconcileFirst) {
        return new Decision(Action.RETRY, delay, reconcileFirst);
    }

    static Decision pause() {
        return new Decision(Action.PAUSE, Duration.ZERO, false);
    }

    static Decision giveUp() {
        return new Decision(Action.GIVE_UP, Duration.ZERO, false);
    }
}
