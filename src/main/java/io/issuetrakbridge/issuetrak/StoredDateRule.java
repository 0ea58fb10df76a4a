package io.issuetrakbridge.issuetrak;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.Optional;

/**
 * Whether a CreatedDate Issuetrak gives back can be the one the bridge sent, given how Issuetrak stores
 * dates: SQL Server {@code datetime} (steps of 1/300 s, read back at whole milliseconds) and, for a date
 * sent with an offset, the server's local time without the offset, in a zone the bridge cannot know.
 * <ul>
 * <li>Rounding: {@code datetime} keeps the nearest 1/300 s step (at most 1.667 ms away) and is read back
 * rounded to the millisecond (at most 0.333 ms more), so a stored date is at most {@link #ROUNDING} from the
 * date sent: {@code .125 -> .127}, {@code .999 -> the next second}.</li>
 * <li>Offset: a date sent with an offset (or {@code Z}) matches a stored date that differs from its UTC
 * time by a whole number of quarter-hours within {@link #MAX_ZONE_OFFSET}, within the same rounding. Every
 * zone offset in use today is a whole quarter-hour, and the offset that applies is the server's at that date
 * (DST included), which is why no one offset is assumed.</li>
 * </ul>
 * The bridge's own default CreatedDate is sent at {@link #DEFAULT_PRECISION}, a whole number of 1/300 s steps,
 * so Issuetrak stores it unchanged.
 */
public final class StoredDateRule {

    /** The most a stored date can differ from the date sent because of {@code datetime} rounding. */
    public static final Duration ROUNDING = Duration.ofMillis(2);

    /** The widest offset of a time zone (Kiribati's +14:00; the westernmost is -12:00). */
    public static final Duration MAX_ZONE_OFFSET = Duration.ofHours(14);

    /** Zone offsets in use are whole multiples of this (e.g. Nepal's +05:45, Chatham's +12:45). */
    public static final Duration ZONE_STEP = Duration.ofMinutes(15);

    /** 10 ms is exactly 3 steps of 1/300 s: a date at this precision survives {@code datetime} unchanged. */
    public static final Duration DEFAULT_PRECISION = Duration.ofMillis(10);

    /**
     * The bridge's default CreatedDate: an instant at {@link #DEFAULT_PRECISION} in UTC, in the form of
     * Issuetrak's own samples ({@code 2014-01-01T11:30:10.1200000}).
     */
    private static final DateTimeFormatter DEFAULT_FORM = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd'T'HH:mm:ss")
            .appendFraction(ChronoField.NANO_OF_SECOND, 7, 7, true)
            .toFormatter()
            .withZone(ZoneOffset.UTC);

    private StoredDateRule() {
    }

    /** The CreatedDate the bridge sends for a command that gives none: {@code at}, cut to 10 ms, in UTC. */
    public static String defaultCreatedDate(Instant at) {
        long precision = DEFAULT_PRECISION.toNanos();
        return DEFAULT_FORM.format(at.minusNanos(at.getNano() % precision));
    }

    /**
     * @param sent the CreatedDate as sent (ISO 8601, with or without an offset, any number of fractional digits)
     * @param stored the CreatedDate as Issuetrak gives it back (normally without an offset)
     * @return whether {@code stored} can be what Issuetrak made of {@code sent}
     */
    public static boolean matches(String sent, String stored) {
        if (sent == null || stored == null) {
            return sent == stored;
        }
        if (sent.equals(stored)) {
            return true;
        }
        Optional<Parsed> s = parse(sent);
        Optional<Parsed> t = parse(stored);
        if (s.isEmpty() || t.isEmpty()) {
            return false;
        }
        // The stored wall-clock time is what the server shows; any offset it carries is ignored, as Issuetrak gives none.
        LocalDateTime storedLocal = t.get().local();
        if (s.get().offset().isEmpty()) {
            return withinRounding(Duration.between(s.get().local(), storedLocal));
        }
        LocalDateTime sentUtc = s.get().local().minusSeconds(s.get().offset().get().getTotalSeconds());
        Duration shift = Duration.between(sentUtc, storedLocal);
        if (shift.abs().compareTo(MAX_ZONE_OFFSET.plus(ROUNDING)) > 0) {
            return false;
        }
        // The nearest whole quarter-hour to the shift is the only zone offset that can explain it.
        long step = ZONE_STEP.toNanos();
        long quarters = Math.round((double) shift.toNanos() / step);
        return withinRounding(shift.minusNanos(quarters * step));
    }

    private static boolean withinRounding(Duration difference) {
        return difference.abs().compareTo(ROUNDING) <= 0;
    }

    private record Parsed(LocalDateTime local, Optional<ZoneOffset> offset) {
    }

    private static Optional<Parsed> parse(String text) {
        try {
            TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parse(text.strip());
            LocalDateTime local = LocalDateTime.from(parsed);
            Optional<ZoneOffset> offset = parsed.isSupported(ChronoField.OFFSET_SECONDS)
                    ? Optional.of(ZoneOffset.ofTotalSeconds(parsed.get(ChronoField.OFFSET_SECONDS)))
                    : Optional.empty();
            return Optional.of(new Parsed(local, offset));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }
}
