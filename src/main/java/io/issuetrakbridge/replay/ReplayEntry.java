package io.issuetrakbridge.replay;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One selected dead letter in a run's answer.
 *
 * @param replayCount the count the dead letter carries: how often its command was replayed before
 * @param outcome what the run did with it
 */
@RegisterForReflection // serialized by Jackson into the API's answers, also in the native image
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReplayEntry(int partition, long offset, String commandId, Long issueNumber, String category,
        String reason, int replayCount, Outcome outcome) {

    /** What a run did, or in a dry run would do, with a selected dead letter. */
    public enum Outcome {
        /** Dry run: would be produced to the commands topic. */
        WOULD_REPLAY,
        /** Produced to the commands topic and acknowledged by the broker. */
        REPLAYED,
        /** Its replay-count reached {@code bridge.replay.max-replays}: left in the dead-letter topic. */
        SKIPPED_MAX_REPLAYS
    }

    static ReplayEntry of(DeadLetter d, Outcome outcome) {
        return new ReplayEntry(d.partition(), d.offset(), d.commandId(), d.issueNumber(), d.category(), d.reason(),
                d.replayCount(), outcome);
    }
}
