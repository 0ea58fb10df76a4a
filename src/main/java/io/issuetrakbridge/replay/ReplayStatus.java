package io.issuetrakbridge.replay;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A replay run as the API reports it: while it runs ({@code GET /replay/dlq/status}) and when done.
 *
 * @param runId identifies the run in logs and answers
 * @param state RUNNING, COMPLETED, CANCELLED, FAILED; NONE when no run has happened since start-up
 * @param filters the filters in force, as text
 * @param ratePerSecond the rate the run was limited to
 * @param limit the most records the run replays, if limited
 * @param scanned dead letters read
 * @param selected dead letters matching the filters (replayed, to replay, or skipped)
 * @param replayed produced and acknowledged; in a dry run, the number that would be
 * @param skipped selected but skipped by the loop guard ({@code bridge.replay.max-replays})
 * @param durationMs from the start of the run to its end, or to now while it runs
 * @param replayedPerSecond replayed / duration: never above ratePerSecond
 * @param positions per dead-letter partition, the next offset the run would read; for a real run, the
 *        offset committed for the replay group once the run ends
 * @param entries the selected dead letters, up to {@code bridge.replay.max-listed}
 * @param entriesTruncated whether more were selected than listed
 * @param error why a FAILED run failed
 */
@RegisterForReflection // serialized by Jackson into the API's answers, also in the native image
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReplayStatus(String runId, State state, Boolean dryRun, Boolean resume, String filters,
        Double ratePerSecond, Integer limit, Instant startedAt, Instant finishedAt, Long scanned, Long selected,
        Long replayed, Long skipped, Long durationMs, Double replayedPerSecond, Map<Integer, Long> positions,
        List<ReplayEntry> entries, Boolean entriesTruncated, String error) {

    /** Where a run stands. */
    public enum State {
        NONE,
        RUNNING,
        COMPLETED,
        CANCELLED,
        FAILED
    }

    static ReplayStatus none() {
        return new ReplayStatus(null, State.NONE, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null);
    }
}
