package io.issuetrakbridge.issuetrak;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Vectors computed by hand from SQL Server's datetime: a time is kept as the nearest whole number of
 * 1/300 s steps (ms x 0.3, rounded half up) and read back rounded to the millisecond; a date sent with an
 * offset is kept as the server's local time.
 */
class StoredDateRuleTest {

    @ParameterizedTest(name = "{0} stored as {1}")
    @CsvSource({
            // The vendor's samples, and what can be sent to get them
            "2011-06-22T18:55:30.4700000, 2011-06-22T18:55:30.47",
            "2011-06-22T18:55:30.469, 2011-06-22T18:55:30.47", // 140.7 steps -> 141 = 470 ms
            "2014-08-22T12:11:30.0625, 2014-08-22T12:11:30.063", // 18.75 steps -> 19 = 63.33 ms
            "2011-06-23T10:55:37.8116, 2011-06-23T10:55:37.81", // 243.48 steps -> 243 = 810 ms
            // .125 is 37.5 steps -> 38 = 126.67 ms, read back as .127
            "2011-06-22T18:55:30.1250000, 2011-06-22T18:55:30.127",
            // .999 is 299.7 steps -> 300: the next second, and across midnight the next day
            "2011-06-22T18:55:30.9990000, 2011-06-22T18:55:31",
            "2011-12-31T23:59:59.999, 2012-01-01T00:00:00",
            // Any number of fractional digits
            "2011-06-22T18:55:30.4, 2011-06-22T18:55:30.4",
            "2011-06-22T18:55:30, 2011-06-22T18:55:30",
            "2011-06-22T18:55:30.123456789, 2011-06-22T18:55:30.123",
            "2011-06-22T18:55:30.1249999, 2011-06-22T18:55:30.123", // 37.49999 steps -> 37 = 123.33 ms
            // The API's own date form
            "2014-02-27T11:30:10.0000000, 2014-02-27T11:30:10",
            // The bridge's default: 10 ms steps survive unchanged
            "2026-11-23T10:15:30.1200000, 2026-11-23T10:15:30.12",
    })
    void aDateWithoutOffsetMatchesWhatDatetimeMakesOfIt(String sent, String stored) {
        assertThat(StoredDateRule.matches(sent, stored)).isTrue();
    }

    @ParameterizedTest(name = "{0} stored as {1}")
    @CsvSource({
            // The PHP sample's date, 16:32:32 UTC, on servers in various zones (January: no DST in the north)
            "2018-01-01T12:32:32-04:00, 2018-01-01T17:32:32", // Europe/Berlin, +01:00
            "2018-01-01T12:32:32-04:00, 2018-01-01T08:32:32", // America/Los_Angeles, -08:00
            "2018-01-01T12:32:32-04:00, 2018-01-01T22:17:32", // Asia/Kathmandu, +05:45
            "2018-01-01T12:32:32-04:00, 2018-01-02T06:32:32", // Pacific/Kiritimati, +14:00
            "2018-01-01T12:32:32-04:00, 2018-01-01T16:32:32", // UTC
            // Europe/Berlin across its spring change at 01:00 UTC on 2026-03-29: +01:00 before, +02:00 after
            "2026-03-29T00:30:00+00:00, 2026-03-29T01:30:00",
            "2026-03-29T01:30:00Z, 2026-03-29T03:30:00",
            // America/New_York across its spring change at 07:00 UTC on 2026-03-08 (-05:00, then -04:00), with rounding
            "2026-03-08T01:59:59.999-05:00, 2026-03-08T02:00:00", // 06:59:59.999 UTC, kept as 01:59:59.999 -> 02:00
            "2026-03-08T03:00:00.125-04:00, 2026-03-08T03:00:00.127", // 07:00:00.125 UTC
            // Australia/Sydney in its summer (+11:00) and winter (+10:00)
            "2026-01-15T09:00:00.1250000+01:00, 2026-01-15T19:00:00.127",
            "2026-07-15T09:00:00.1250000+01:00, 2026-07-15T18:00:00.127",
    })
    void aDateWithAnOffsetMatchesTheServersLocalTimeInAnyZone(String sent, String stored) {
        assertThat(StoredDateRule.matches(sent, stored)).isTrue();
    }

    @ParameterizedTest(name = "{0} is not {1}")
    @CsvSource({
            // More than datetime's rounding apart
            "2014-08-22T12:11:30.06, 2014-08-22T12:11:30.063",
            "2011-06-22T18:55:30.473, 2011-06-22T18:55:30.47",
            "2011-06-22T18:55:30.4675, 2011-06-22T18:55:30.47",
            "2011-06-22T18:55:30.125, 2011-06-22T18:55:31.125",
            "2011-06-22T18:55:30, 2011-06-23T18:55:30",
            // Without an offset the date is stored as given: no zone shift can explain an hour
            "2018-01-01T12:32:32, 2018-01-01T16:32:32",
            // With an offset, a shift that is no whole quarter-hour, or wider than any zone
            "2018-01-01T12:32:32-04:00, 2018-01-01T17:33:32",
            "2018-01-01T12:32:32-04:00, 2018-01-01T17:32:32.01",
            "2018-01-01T12:32:32-04:00, 2018-01-02T07:32:32",
            "2018-01-01T12:32:32-04:00, 2017-12-31T23:32:32",
            // Not dates
            "2018-01-01T12:32:32, yesterday",
            "someday, 2018-01-01T12:32:32",
    })
    void otherDatesDoNotMatch(String sent, String stored) {
        assertThat(StoredDateRule.matches(sent, stored)).isFalse();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "2026-11-23T10:15:30.123456Z, 2026-11-23T10:15:30.1200000",
            "2026-11-23T10:15:30.999999Z, 2026-11-23T10:15:30.9900000",
            "2026-11-23T10:15:30Z, 2026-11-23T10:15:30.0000000",
            "2026-11-23T10:15:30.005Z, 2026-11-23T10:15:30.0000000",
    })
    void theDefaultCreatedDateIsTheInstantCutTo10MillisecondsInUtc(String instant, String expected) {
        assertThat(StoredDateRule.defaultCreatedDate(Instant.parse(instant))).isEqualTo(expected);
    }
}
