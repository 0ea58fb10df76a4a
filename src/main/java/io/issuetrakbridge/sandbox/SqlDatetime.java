package io.issuetrakbridge.sandbox;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How Issuetrak stores a date it is sent and writes it back: the path of a CreatedDate through ASP.NET Web API
 * (Json.NET), ADO.NET and a SQL Server {@code datetime} column, as the vendor's samples show it.
 *
 * <ol>
 * <li>Json.NET reads the text with its default {@code DateTimeZoneHandling.RoundtripKind}: no suffix is kept as
 * the wall time it says; a {@code Z} is kept as the UTC wall time it says (a "UTC" DateTime, written to the
 * column unconverted); an offset such as {@code -04:00} is converted to the server's local time. Any number of
 * fractional digits is accepted.</li>
 * <li>{@code datetime} keeps 1/300 s ticks: the fraction is rounded to the nearest tick, halves up (SQL Server's
 * documented rule: .001 -> .000; .002, .003, .004 -> .003; .005 to .008 -> .007; .009 -> .010; .999 -> the next
 * whole second). Its range is 1753-01-01 to 9999-12-31 23:59:59.997.</li>
 * <li>Read back, a tick becomes a whole millisecond (1 tick = 3.33 ms -> .003, 2 ticks -> .007), and Json.NET
 * writes it in round-trip form without an offset and with trailing fractional zeros trimmed:
 * {@code 2011-06-22T18:55:30.47}, {@code 2014-08-22T12:11:30.063}, a whole second as {@code ...T12:11:30}.</li>
 * </ol>
 * Exact arithmetic throughout. (.NET first takes an 8th and later fractional digit to 100 ns, which could only
 * matter for a value within 50 ns of the midpoint between two ticks.)
 */
final class SqlDatetime {

    static final LocalDateTime MIN = LocalDateTime.of(1753, 1, 1, 0, 0);
    static final LocalDateTime MAX = LocalDateTime.of(9999, 12, 31, 23, 59, 59, 997_000_000);

    private static final Pattern ISO = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})(?:T(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d+))?)?)?"
                    + "(Z|[+-]\\d{2}(?::?\\d{2})?)?");
    private static final BigDecimal TICKS_PER_SECOND = BigDecimal.valueOf(300);

    private SqlDatetime() {
    }

    /**
     * The value {@code text} is stored as, for a server in {@code serverZone}.
     *
     * @throws IllegalArgumentException with Json.NET's or SQL Server's message when it is not a date or is out of range
     */
    static LocalDateTime store(String text, ZoneId serverZone) {
        Matcher m = ISO.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("Could not convert string to DateTime: " + text + ".");
        }
        LocalDateTime wall;
        try {
            wall = LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)), number(m.group(4)), number(m.group(5)), number(m.group(6)));
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("Could not convert string to DateTime: " + text + ".", e);
        }
        LocalDateTime stored = wall.plusNanos(roundedMillis(m.group(7)) * 1_000_000L);
        String zone = m.group(8);
        if (zone != null && !zone.equals("Z")) {
            ZoneOffset offset;
            try {
                offset = ZoneOffset.of(zone.length() == 3 ? zone + ":00" : zone);
            } catch (DateTimeException e) {
                throw new IllegalArgumentException("Could not convert string to DateTime: " + text + ".", e);
            }
            // An offset is whole minutes: converting after rounding gives what converting first would.
            stored = stored.atOffset(offset).atZoneSameInstant(serverZone).toLocalDateTime();
        }
        if (stored.isBefore(MIN) || stored.isAfter(MAX)) {
            throw new IllegalArgumentException(
                    "SqlDateTime overflow. Must be between 1/1/1753 12:00:00 AM and 12/31/9999 11:59:59 PM.");
        }
        return stored;
    }

    /** The server's current time as the column stores it. */
    static LocalDateTime now(ZoneId serverZone) {
        LocalDateTime now = LocalDateTime.now(serverZone);
        String fraction = String.format("%09d", now.getNano());
        return now.withNano(0).plusNanos(roundedMillis(fraction) * 1_000_000L);
    }

    /** Json.NET's round-trip form of a stored value: no offset, trailing fractional zeros trimmed. */
    static String format(LocalDateTime stored) {
        StringBuilder text = new StringBuilder(String.format("%04d-%02d-%02dT%02d:%02d:%02d", stored.getYear(),
                stored.getMonthValue(), stored.getDayOfMonth(), stored.getHour(), stored.getMinute(),
                stored.getSecond()));
        int millis = stored.getNano() / 1_000_000;
        if (millis > 0) {
            String digits = String.format("%03d", millis);
            text.append('.').append(digits.replaceFirst("0+$", ""));
        }
        return text.toString();
    }

    /**
     * The milliseconds (0 to 1000) a fraction of a second becomes: rounded to 1/300 s ticks, halves up, and the
     * tick read back as whole milliseconds, halves up (1 tick = 3.33 ms -> 3, 2 ticks = 6.67 ms -> 7).
     */
    static int roundedMillis(String fractionDigits) {
        if (fractionDigits == null || fractionDigits.isEmpty()) {
            return 0;
        }
        int ticks = new BigDecimal("0." + fractionDigits).multiply(TICKS_PER_SECOND)
                .setScale(0, RoundingMode.HALF_UP).intValueExact();
        // ticks * 10/3 ms, rounded: the remainder of ticks*10 by 3 is 0, 1 (a third: down) or 2 (two thirds: up).
        return (ticks * 10 + 1) / 3;
    }

    private static int number(String digits) {
        return digits == null ? 0 : Integer.parseInt(digits);
    }
}
