package io.issuetrakbridge.replay;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.issuetrakbridge.issuetrak.FailureCategory;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The body of {@code POST /replay/dlq}. Every field is optional; filters combine with AND, values
 * within one list with OR. An empty body replays every dead letter.
 *
 * @param dryRun list what would be replayed, produce nothing, commit nothing
 * @param categories dead-letter-category among these (VALIDATION, REJECTED, UNAUTHORIZED, ...)
 * @param reasonContains dead-letter-reason contains this text, ignoring case
 * @param issueNumbers the command's IssueNumber among these
 * @param commandIds the CommandId header among these
 * @param from dead-lettered at or after this instant (the dead letter's timestamp)
 * @param to dead-lettered before this instant
 * @param partition only this partition of the dead-letter topic
 * @param fromOffset first dead-letter offset considered (per partition)
 * @param toOffset last dead-letter offset considered, inclusive (per partition)
 * @param ratePerSecond records produced per second, default {@code bridge.replay.default-rate}
 * @param limit replay at most this many records, then stop (resumable)
 * @param resume start after the position the last run committed rather than at the beginning
 */
@RegisterForReflection // bound by Jackson from the request body, also in the native image
public record ReplayRequest(
        boolean dryRun,
        List<String> categories,
        String reasonContains,
        List<Long> issueNumbers,
        List<String> commandIds,
        Instant from,
        Instant to,
        Integer partition,
        Long fromOffset,
        Long toOffset,
        Double ratePerSecond,
        Integer limit,
        boolean resume) {

    /** Highest rate accepted: beyond it the "limit" is no limit, and the bridge would be flooded. */
    static final double MAX_RATE = 10_000;

    /** Everything, as an empty body asks. */
    static ReplayRequest everything() {
        return new ReplayRequest(false, null, null, null, null, null, null, null, null, null, null, null, false);
    }

    /** Every problem with the request, each naming its field; empty when valid. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (categories != null) {
            for (String c : categories) {
                if (category(c) == null) {
                    problems.add("categories: unknown category \"" + abbreviate(c) + "\", expected one of "
                            + List.of(FailureCategory.values()));
                }
            }
        }
        if (from != null && to != null && !from.isBefore(to)) {
            problems.add("from must be before to");
        }
        if (partition != null && partition < 0) {
            problems.add("partition must be 0 or more");
        }
        if (fromOffset != null && fromOffset < 0) {
            problems.add("fromOffset must be 0 or more");
        }
        if (toOffset != null && toOffset < 0) {
            problems.add("toOffset must be 0 or more");
        }
        if (fromOffset != null && toOffset != null && toOffset < fromOffset) {
            problems.add("toOffset must not be below fromOffset");
        }
        if (ratePerSecond != null && !(ratePerSecond > 0 && ratePerSecond <= MAX_RATE)) {
            problems.add("ratePerSecond must be above 0 and at most " + (long) MAX_RATE);
        }
        if (limit != null && limit < 1) {
            problems.add("limit must be 1 or more");
        }
        return problems;
    }

    /** The category a request names, ignoring case, or null. */
    static FailureCategory category(String name) {
        if (name == null) {
            return null;
        }
        try {
            return FailureCategory.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String abbreviate(String text) {
        return text == null ? "null" : text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
