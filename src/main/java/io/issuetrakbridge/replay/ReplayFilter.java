package io.issuetrakbridge.replay;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import io.issuetrakbridge.issuetrak.FailureCategory;

/**
 * Which dead letters a replay selects: every filter of the request that is set must match.
 * Partition and offsets are also used to position the scan; they are checked here as well so that
 * this class alone says what is selected.
 */
final class ReplayFilter {

    private final Set<String> categories;
    private final String reasonContains;
    private final Set<Long> issueNumbers;
    private final Set<String> commandIds;
    private final ReplayRequest request;

    ReplayFilter(ReplayRequest request) {
        this.request = request;
        this.categories = request.categories() == null ? null
                : request.categories().stream().map(ReplayRequest::category).filter(Objects::nonNull)
                        .map(FailureCategory::name).collect(Collectors.toUnmodifiableSet());
        this.reasonContains = request.reasonContains() == null || request.reasonContains().isEmpty() ? null
                : request.reasonContains().toLowerCase(Locale.ROOT);
        this.issueNumbers = request.issueNumbers() == null ? null : Set.copyOf(request.issueNumbers());
        this.commandIds = request.commandIds() == null ? null : Set.copyOf(request.commandIds());
    }

    boolean matches(DeadLetter d) {
        return (request.partition() == null || request.partition() == d.partition())
                && (request.fromOffset() == null || d.offset() >= request.fromOffset())
                && (request.toOffset() == null || d.offset() <= request.toOffset())
                && (request.from() == null || !d.timestamp().isBefore(request.from()))
                && (request.to() == null || d.timestamp().isBefore(request.to()))
                && in(categories, d.category())
                && (reasonContains == null
                        || d.reason() != null && d.reason().toLowerCase(Locale.ROOT).contains(reasonContains))
                && in(issueNumbers, d.issueNumber())
                && in(commandIds, d.commandId());
    }

    private static <T> boolean in(Set<T> wanted, T value) {
        return wanted == null || value != null && wanted.contains(value);
    }

    /** For the run's log line: which filters are set, never their values' secrets (there are none). */
    String describe() {
        List<String> parts = new java.util.ArrayList<>();
        if (categories != null) {
            parts.add("categories=" + categories);
        }
        if (reasonContains != null) {
            parts.add("reasonContains");
        }
        if (issueNumbers != null) {
            parts.add(issueNumbers.size() + " issue(s)");
        }
        if (commandIds != null) {
            parts.add(commandIds.size() + " command ID(s)");
        }
        if (request.from() != null || request.to() != null) {
            parts.add("time " + request.from() + ".." + request.to());
        }
        if (request.partition() != null) {
            parts.add("partition " + request.partition());
        }
        if (request.fromOffset() != null || request.toOffset() != null) {
            parts.add("offsets " + request.fromOffset() + ".." + request.toOffset());
        }
        return parts.isEmpty() ? "everything" : String.join(", ", parts);
    }
}
