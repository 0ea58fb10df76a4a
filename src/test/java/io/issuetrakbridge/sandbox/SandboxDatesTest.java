package io.issuetrakbridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.config.ApiKey;
import io.issuetrakbridge.issuetrak.dto.NotePage;
import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.vertx.mutiny.core.Vertx;

/**
 * CreatedDate as Issuetrak stores it (SQL Server {@code datetime}, the server's local time), over real HTTP, with
 * servers in zones far from UTC. Every expected value was worked out by hand: 1/300 s ticks rounded half up
 * (fraction x 300), read back as whole milliseconds (ticks x 10/3, rounded), then the offset conversion.
 * America/St_Johns is UTC-03:30 (NST) and UTC-02:30 (NDT) from 2024-03-10 02:00 local (05:30Z) to
 * 2024-11-03 02:00 local (04:30Z); Pacific/Kiritimati is UTC+14:00 all year.
 */
class SandboxDatesTest {

    private static final String NOTES = "/api/v1/notes";
    private static final String ST_JOHNS = "America/St_Johns";
    private static final String KIRITIMATI = "Pacific/Kiritimati";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Vertx vertx;
    private static final Map<String, SandboxServer> SANDBOXES = new LinkedHashMap<>();
    private static final Map<String, SandboxTestClient> CLIENTS = new LinkedHashMap<>();

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        for (String zone : new String[] { ST_JOHNS, KIRITIMATI }) {
            SandboxSettings settings = SandboxSettings.defaults(ApiKey.of(SandboxTestSupport.KEY))
                    .withTimeZone(ZoneId.of(zone));
            SandboxServer sandbox = SandboxServer.start(vertx, settings).await().atMost(Duration.ofSeconds(10));
            SANDBOXES.put(zone, sandbox);
            CLIENTS.put(zone, new SandboxTestClient(sandbox.baseUrl(), SandboxTestSupport.KEY));
        }
    }

    @AfterAll
    static void stop() {
        SANDBOXES.values().forEach(s -> s.close().await().atMost(Duration.ofSeconds(10)));
        vertx.closeAndAwait();
    }

    @BeforeEach
    void reset() {
        SANDBOXES.values().forEach(s -> s.notes().clear());
    }

    @Test
    void theDefaultZoneIsNewfoundland() {
        assertThat(SandboxSettings.defaults(ApiKey.of(SandboxTestSupport.KEY)).timeZone())
                .isEqualTo(ZoneId.of(ST_JOHNS));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            // The vendor's own samples: already multiples of 1/300 s, written back unchanged.
            "2011-06-22T18:55:30.47,        2011-06-22T18:55:30.47",
            "2014-08-22T12:11:30.063,       2014-08-22T12:11:30.063",
            "2011-06-23T10:55:37.81,        2011-06-23T10:55:37.81",
            // 0.125 x 300 = 37.5 ticks -> 38 -> 126.67 ms -> .127
            "2024-05-06T07:08:30.1250000,   2024-05-06T07:08:30.127",
            "2024-05-06T07:08:30.125,       2024-05-06T07:08:30.127",
            // 0.999 x 300 = 299.7 -> 300 ticks: the next whole second, written without a fraction
            "2024-05-06T07:08:30.9990000,   2024-05-06T07:08:31",
            "2024-12-31T23:59:59.999,       2025-01-01T00:00:00",
            // SQL Server's documented table, per last millisecond digit
            "2024-05-06T07:08:30.001,       2024-05-06T07:08:30",
            "2024-05-06T07:08:30.002,       2024-05-06T07:08:30.003",
            "2024-05-06T07:08:30.004,       2024-05-06T07:08:30.003",
            "2024-05-06T07:08:30.005,       2024-05-06T07:08:30.007",
            "2024-05-06T07:08:30.008,       2024-05-06T07:08:30.007",
            "2024-05-06T07:08:30.009,       2024-05-06T07:08:30.01",
            "2024-05-06T07:08:30.991,       2024-05-06T07:08:30.99",
            "2024-05-06T07:08:30.992,       2024-05-06T07:08:30.993",
            "2024-05-06T07:08:30.995,       2024-05-06T07:08:30.997",
            // 0.0016666 x 300 = 0.49998 -> 0 ticks; 0.0016667 x 300 = 0.50001 -> 1 tick = .003
            "2024-05-06T07:08:30.0016666,   2024-05-06T07:08:30",
            "2024-05-06T07:08:30.0016667,   2024-05-06T07:08:30.003",
            // seven digits, as the bridge and the vendor's conventions page send them: 37.037 -> 37 ticks -> .123
            "2014-01-01T11:30:10.1234567,   2014-01-01T11:30:10.123",
            "2014-01-01T11:30:10.0000000,   2014-01-01T11:30:10",
            "2014-01-01T11:30:10.5,         2014-01-01T11:30:10.5",
            // any number of digits
            "2014-01-01T11:30:10.12345678901, 2014-01-01T11:30:10.123",
            "2014-01-01T11:30:10,           2014-01-01T11:30:10",
            "2014-01-01T11:30,              2014-01-01T11:30:00",
            "2014-01-01,                    2014-01-01T00:00:00",
            // Z: Json.NET keeps a UTC DateTime as its UTC wall time (no conversion to the server's zone)
            "2024-05-06T07:08:09.1234567Z,  2024-05-06T07:08:09.123",
    })
    void datesWithoutAnOffsetAreRoundedToDatetimeTicksInAnyZone(String sent, String stored) throws Exception {
        for (String zone : SANDBOXES.keySet()) {
            assertThat(createAndReadBack(zone, sent)).as(zone).isEqualTo(stored);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            // The PHP sample's date: 16:32:32Z; NST = UTC-03:30
            "2018-01-01T12:32:32-04:00,           2018-01-01T13:02:32",
            // Summer: NDT = UTC-02:30; 12:00Z -> 09:30
            "2024-07-01T12:00:00+00:00,           2024-07-01T09:30:00",
            // Nepal's +05:45: 06:15Z -> 03:45 NDT
            "2024-07-01T12:00:00+05:45,           2024-07-01T03:45:00",
            // Rounding carries a second before converting: 10:00:01-05:00 = 15:00:01Z -> 11:30:01 NST
            "2024-01-15T10:00:00.9990000-05:00,   2024-01-15T11:30:01",
            // Spring forward: 05:29:59Z is 01:59:59 NST; .999 rounds to 05:30:00Z, the instant NDT starts: 03:00
            "2024-03-10T05:29:59+00:00,           2024-03-10T01:59:59",
            "2024-03-10T05:29:59.999+00:00,       2024-03-10T03:00:00",
            // Fall back: 04:29Z is 01:59 NDT, 04:31Z is 01:01 NST
            "2024-11-03T04:29:00+00:00,           2024-11-03T01:59:00",
            "2024-11-03T04:31:00+00:00,           2024-11-03T01:01:00",
            // ... and two instants an hour apart are stored as the same local time
            "2024-11-03T04:00:00+00:00,           2024-11-03T01:30:00",
            "2024-11-03T05:00:00+00:00,           2024-11-03T01:30:00",
            // An offset the same as the server's is stored as sent (rounded)
            "2024-01-15T10:00:00.125-03:30,       2024-01-15T10:00:00.127",
    })
    void datesWithAnOffsetAreStoredAsNewfoundlandLocalTime(String sent, String stored) throws Exception {
        assertThat(createAndReadBack(ST_JOHNS, sent)).isEqualTo(stored);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            // 16:32:32Z + 14:00 = 06:32:32 the next day
            "2018-01-01T12:32:32-04:00,           2018-01-02T06:32:32",
            // 23:00:00.127Z + 14:00 crosses into the next day and month
            "2024-06-30T23:00:00.125+00:00,       2024-07-01T13:00:00.127",
            "2024-06-30T10:00:00.125+14:00,       2024-06-30T10:00:00.127",
            // 04:00Z and 05:00Z, a single local time in Newfoundland, stay apart here
            "2024-11-03T04:00:00+00:00,           2024-11-03T18:00:00",
            "2024-11-03T05:00:00+00:00,           2024-11-03T19:00:00",
            "2024-11-03T04:00:00+0000,            2024-11-03T18:00:00",
            "2024-11-03T04:00:00+00,              2024-11-03T18:00:00",
    })
    void datesWithAnOffsetAreStoredAsKiritimatiLocalTime(String sent, String stored) throws Exception {
        assertThat(createAndReadBack(KIRITIMATI, sent)).isEqualTo(stored);
    }

    @ParameterizedTest
    @ValueSource(strings = { ST_JOHNS, KIRITIMATI })
    void aNoteWithoutCreatedDateIsStampedWithTheServersLocalTime(String zone) throws Exception {
        LocalDateTime before = LocalDateTime.now(ZoneId.of(zone)).truncatedTo(ChronoUnit.SECONDS);
        HttpResponse<String> created = CLIENTS.get(zone).post(NOTES,
                "{\"IssueNumber\":6,\"CreatedBy\":\"Admin\",\"NoteText\":\"no date\"}");
        LocalDateTime after = LocalDateTime.now(ZoneId.of(zone)).plusSeconds(1);

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String stored = readBack(zone, created.body());
        assertThat(stored).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{0,2}[1-9])?");
        LocalDateTime storedAt = LocalDateTime.parse(stored);
        assertThat(storedAt).isBetween(before, after);
        assertThat(storedAt.getNano() / 1_000_000 % 10).isIn(0, 3, 7);
    }

    @Test
    void anEmptyOrNullCreatedDateIsAbsentToo() throws Exception {
        for (String date : new String[] { "null", "\"\"" }) {
            HttpResponse<String> created = CLIENTS.get(ST_JOHNS).post(NOTES,
                    "{\"IssueNumber\":6,\"CreatedBy\":\"Admin\",\"NoteText\":\"x\",\"CreatedDate\":" + date + "}");

            assertThat(created.statusCode()).as(date).isEqualTo(201);
            assertThat(readBack(ST_JOHNS, created.body())).isNotBlank();
        }
    }

    @Test
    void theListOfAnIssueShowsTheStoredDateToo() throws Exception {
        CLIENTS.get(KIRITIMATI).post(NOTES, body("2024-06-30T23:00:00.125+00:00"));

        NotePage page = JSON.readValue(CLIENTS.get(KIRITIMATI).get(NOTES + "/issue/6").body(), NotePage.class);

        assertThat(page.collection()).extracting(ReadNote::createdDate).containsExactly("2024-07-01T13:00:00.127");
    }

    private static String createAndReadBack(String zone, String sent) throws Exception {
        HttpResponse<String> created = CLIENTS.get(zone).post(NOTES, body(sent));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return readBack(zone, created.body());
    }

    private static String readBack(String zone, String noteId) throws Exception {
        HttpResponse<String> read = CLIENTS.get(zone).get(NOTES + "/" + noteId);
        // The raw text, not re-formatted by a date parser on our side.
        return JSON.readTree(read.body()).get("CreatedDate").asText();
    }

    private static String body(String createdDate) {
        return "{\"IssueNumber\":6,\"CreatedDate\":\"" + createdDate
                + "\",\"CreatedBy\":\"Admin\",\"NoteText\":\"dated\"}";
    }
}
