package io.issuetrakbridge.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * One of Issuetrak's rate-limit rules: at most {@code limit} requests in any {@code window}, counting every
 * request or only writes (POST, PUT, DELETE). Written {@code LIMIT/WINDOW} or {@code LIMIT/WINDOW/writes}, e.g.
 * {@code 20/1s}, {@code 5/1s/writes}, {@code 1000/12h}, the way Issuetrak's documentation lists them.
 *
 * @param limit requests allowed in one window, at least 1
 * @param window the window's length, e.g. 1s, 10m, 12h (or ISO-8601, PT1M)
 * @param writesOnly whether only POST/PUT/DELETE count against it
 */
public record BudgetRule(long limit, Duration window, boolean writesOnly) {

    public BudgetRule {
        if (limit < 1) {
            throw new IllegalArgumentException("a budget rule's limit must be 1 or more, was " + limit);
        }
        if (window == null || window.isNegative() || window.toMillis() < 1) {
            throw new IllegalArgumentException("a budget rule's window must be at least 1ms, was " + window);
        }
    }

    /** As {@link #parse}: the converter SmallRye finds by itself, for each entry of a comma-separated list. */
    public static BudgetRule of(String text) {
        return parse(text);
    }

    /** Parses {@code 20/1s} or {@code 5/1s/writes} (also {@code /all}); spaces are ignored. */
    public static BudgetRule parse(String text) {
        String[] parts = text.replace(" ", "").split("/");
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("a budget rule looks like 20/1s or 5/1s/writes, was '" + text + "'");
        }
        long limit;
        try {
            limit = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a budget rule starts with its limit, e.g. 20/1s, was '" + text + "'");
        }
        boolean writes = false;
        if (parts.length == 3) {
            switch (parts[2].toLowerCase(Locale.ROOT)) {
                case "writes" -> writes = true;
                case "all" -> writes = false;
                default -> throw new IllegalArgumentException(
                        "a budget rule counts 'all' requests or 'writes', was '" + text + "'");
            }
        }
        return new BudgetRule(limit, duration(parts[1]), writes);
    }

    /** The rule as written, e.g. {@code 5/1s/writes}: the {@code rule} tag of its metrics. */
    public String name() {
        return limit + "/" + windowText() + (writesOnly ? "/writes" : "");
    }

    private String windowText() {
        long ms = window.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    @Override
    public String toString() {
        return name();
    }

    /** Accepts the forms Quarkus config accepts: ISO-8601 (PT5M), or a number with ms, s, m, h or d. */
    public static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("p")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> Duration.ofSeconds(Long.parseLong(t));
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (e.g. 5m, 30s, PT5M)");
        }
    }
}
