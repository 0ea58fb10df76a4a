package io.issuetrakbridge.sandbox;

import static io.issuetrakbridge.sandbox.SandboxTestClient.noteJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.issuetrak.dto.ReadNote;

/** Every API request must carry a valid, fresh, unused signature; anything else is 401. */
class SandboxAuthenticationTest extends DefaultSandboxTestSupport {

    private static final String NOTES = "/api/v1/notes";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void acceptsACorrectlySignedRequest() {
        assertThat(client.post(NOTES, noteJson(6, "Admin", "signed")).statusCode()).isEqualTo(201);
    }

    @Test
    void refusesATamperedBody() {
        SandboxTestClient.Request signed = client.sign("POST", NOTES, "", noteJson(6, "Admin", "original"));

        assertUnauthorized(client.send(signed.withBody(noteJson(6, "Admin", "tampered"))), "signature does not match");
        assertThat(sandbox.notes().size()).isZero();
    }

    @Test
    void refusesATamperedPath() {
        String id = client.post(NOTES, noteJson(6, "Admin", "x")).body();
        SandboxTestClient.Request signed = client.sign("GET", NOTES + "/" + id, "", "");

        assertUnauthorized(client.send(signed.withPath(NOTES + "/issue/6")), "signature does not match");
    }

    @Test
    void refusesATamperedQuery() {
        SandboxTestClient.Request signed = client.sign("GET", NOTES + "/issue/6", "?page=1", "");

        assertUnauthorized(client.send(signed.withQuery("?page=2")), "signature does not match");
    }

    @Test
    void refusesARemovedQuery() {
        SandboxTestClient.Request signed = client.sign("GET", NOTES + "/issue/6", "?page=1", "");

        assertUnauthorized(client.send(signed.withQuery("")), "signature does not match");
    }

    @Test
    void refusesATamperedMethod() {
        SandboxTestClient.Request signed = client.sign("GET", NOTES, "", noteJson(6, "Admin", "x"));

        assertUnauthorized(client.send(signed.withMethod("POST")), "signature does not match");
    }

    @Test
    void refusesAStaleTimestamp() {
        SandboxTestClient.Request stale = client.sign("POST", NOTES, "", noteJson(6, "Admin", "x"),
                Instant.now().minus(Duration.ofMinutes(6)), UUID.randomUUID().toString());

        assertUnauthorized(client.send(stale), "more than 300s away");
    }

    @Test
    void refusesATimestampFromTheFuture() {
        SandboxTestClient.Request future = client.sign("POST", NOTES, "", noteJson(6, "Admin", "x"),
                Instant.now().plus(Duration.ofMinutes(6)), UUID.randomUUID().toString());

        assertUnauthorized(client.send(future), "more than 300s away");
    }

    @Test
    void acceptsATimestampWithinTheSkew() {
        SandboxTestClient.Request late = client.sign("POST", NOTES, "", noteJson(6, "Admin", "x"),
                Instant.now().minus(Duration.ofMinutes(4)), UUID.randomUUID().toString());

        assertThat(client.send(late).statusCode()).isEqualTo(201);
    }

    @Test
    void refusesAnUnparsableTimestamp() {
        SandboxTestClient.Request signed = client.sign("GET", NOTES + "/issue/6", "", "");

        assertUnauthorized(client.send(signed.withHeader(SandboxTestClient.TIMESTAMP, "yesterday")),
                "not a UTC timestamp");
    }

    @Test
    void refusesAReusedRequestId() {
        SandboxTestClient.Request signed = client.sign("POST", NOTES, "", noteJson(6, "Admin", "once"));

        assertThat(client.send(signed).statusCode()).isEqualTo(201);
        assertUnauthorized(client.send(signed), "already used");
        assertThat(sandbox.notes().forIssue(6)).hasSize(1);
    }

    @Test
    void refusesAReusedRequestIdInAnotherCase() {
        String id = UUID.randomUUID().toString();
        assertThat(client.send(client.sign("GET", NOTES + "/issue/6", "", "", Instant.now(), id)).statusCode())
                .isEqualTo(200);

        SandboxTestClient.Request again = client.sign("GET", NOTES + "/issue/7", "", "", Instant.now(),
                id.toUpperCase(Locale.ROOT));
        assertUnauthorized(client.send(again), "already used");
    }

    @Test
    void aRefusedRequestDoesNotUseUpItsId() {
        String id = UUID.randomUUID().toString();
        SandboxTestClient.Request signed = client.sign("POST", NOTES, "", noteJson(6, "Admin", "x"), Instant.now(), id);

        assertThat(client.send(signed.withBody(noteJson(6, "Admin", "forged"))).statusCode()).isEqualTo(401);
        assertThat(client.send(signed).statusCode()).isEqualTo(201);
    }

    @Test
    void refusesAWrongKey() {
        client.apiKey("d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktMTI=");

        HttpResponse<String> refused = client.post(NOTES, noteJson(6, "Admin", "x"));

        assertUnauthorized(refused, "signature does not match");
        assertThat(refused.body()).doesNotContain(KEY).doesNotContain("d3Jvbmcta2V5");
    }

    @ParameterizedTest
    @ValueSource(strings = { SandboxTestClient.TIMESTAMP, SandboxTestClient.REQUEST_ID,
            SandboxTestClient.AUTHORIZATION })
    void refusesAMissingHeader(String header) {
        SandboxTestClient.Request signed = client.sign("POST", NOTES, "", noteJson(6, "Admin", "x"));

        assertUnauthorized(client.send(signed.withoutHeader(header)), "missing header " + header);
        assertThat(sandbox.notes().size()).isZero();
    }

    @Test
    void refusesAnUnsignedRequest() {
        SandboxTestClient.Request unsigned = new SandboxTestClient.Request("GET", NOTES + "/1", "", new byte[0],
                Map.of());

        assertUnauthorized(client.send(unsigned), "missing header");
    }

    @Test
    void refusesAQuerySignedWithoutItsQuestionMark() {
        // The PHP sample appends the query to the URL as given, so the '?' is part of what is signed.
        String id = UUID.randomUUID().toString();
        String timestamp = SandboxTestClient.DOTNET_ROUND_TRIP.format(Instant.now());
        String withoutMark = SandboxTestClient.signature(KEY, "GET", id, timestamp, NOTES + "/issue/6", "page=1",
                new byte[0]);
        SandboxTestClient.Request request = new SandboxTestClient.Request("GET", NOTES + "/issue/6", "?page=1",
                new byte[0], Map.of(SandboxTestClient.TIMESTAMP, timestamp, SandboxTestClient.REQUEST_ID, id,
                        SandboxTestClient.AUTHORIZATION, withoutMark));

        assertUnauthorized(client.send(request), "signature does not match");
        assertThat(client.send(client.sign("GET", NOTES + "/issue/6", "?page=1", "")).statusCode()).isEqualTo(200);
    }

    @Test
    void headerNamesAreCaseInsensitive() {
        SandboxTestClient.Request signed = client.sign("POST", NOTES, "", noteJson(6, "Admin", "x"));
        Map<String, String> renamed = new LinkedHashMap<>();
        renamed.put("x-issuetrak-api-timestamp", signed.headers().get(SandboxTestClient.TIMESTAMP));
        renamed.put("X-IssueTrak-API-Request-ID", signed.headers().get(SandboxTestClient.REQUEST_ID));
        renamed.put("X-ISSUETRAK-API-AUTHORIZATION", signed.headers().get(SandboxTestClient.AUTHORIZATION));

        HttpResponse<String> response = client.send(new SandboxTestClient.Request("POST", NOTES, "", signed.body(),
                renamed));

        assertThat(response.statusCode()).isEqualTo(201);
    }

    @Test
    void thePathIsSignedLowerCased() {
        String id = client.post(NOTES, noteJson(6, "Admin", "x")).body();

        assertThat(client.get("/API/V1/Notes/" + id).statusCode()).isEqualTo(200);
    }

    @Test
    void aKeyChangedThroughTheAdminEndpointIsTheOneAccepted() {
        String newKey = "bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleS0=";

        assertThat(client.admin("PUT", "/api-key", newKey).statusCode()).isEqualTo(204);
        assertUnauthorized(client.post(NOTES, noteJson(6, "Admin", "old key")), "signature does not match");

        client.apiKey(newKey);
        assertThat(client.post(NOTES, noteJson(6, "Admin", "new key")).statusCode()).isEqualTo(201);
        assertThat(client.admin("PUT", "/api-key", "  ").statusCode()).isEqualTo(400);
    }

    /**
     * The vendor's PHP sample (shared/issuetrak-api/api-samples-overview.txt, ExecuteApiCall and guid()),
     * transcribed line by line without any project code:
     *
     * <pre>
     * $request_time_iso8601 = gmdate("Y-m-d\TH:i:s") . substr((string)microtime(), 1, 8) . "Z";
     * $charid = md5(uniqid(rand(), true)); $uuid = 8-4-4-4-12 slices of $charid joined by "-";
     * $request_summary = implode("\n", [$method, strtolower($request_guid), $request_time_iso8601,
     *                                   strtolower($requestPath), $requestQuery, $requestBody]);
     * $request_signature = base64_encode(hash_hmac("sha512", $request_summary, $api_key, true));
     * </pre>
     */
    @Test
    void theVendorsPhpSamplesWayOfSigningIsAccepted() throws Exception {
        String method = "POST";
        String requestPath = "/api/v1/notes";
        String requestQuery = "";
        // The sample's heredoc (its braces were lost in the vendor page's rendering), tabs and all.
        String requestBody = "{\n"
                + "\t\"IssueNumber\": 1,\n"
                + "\t\"CreatedDate\": \"2018-01-01T12:32:32-04:00\",\n"
                + "\t\"CreatedBy\": \"APIUser\",\n"
                + "\t\"ShouldSuppressEmailForCreateOperation\": false,\n"
                + "\t\"NoteText\": \"Testing note creation from PHP.\",\n"
                + "\t\"IsPrivate\": false,\n"
                + "\t\"IsRichText\": false\n"
                + "}";

        // gmdate("Y-m-d\TH:i:s") . substr((string)microtime(), 1, 8) . "Z"
        Instant now = Instant.now();
        String gmdate = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC).format(now);
        String microtime = String.format(Locale.ROOT, "0.%08d %d", now.getNano() / 1000 * 100, now.getEpochSecond());
        String requestTimeIso8601 = gmdate + microtime.substring(1, 1 + 8) + "Z";

        // md5(uniqid(rand(), true)), sliced 8-4-4-4-12
        String uniqid = new SecureRandom().nextInt(Integer.MAX_VALUE) + Long.toHexString(now.getEpochSecond())
                + Integer.toHexString(now.getNano() / 1000) + "." + new SecureRandom().nextInt(100_000_000);
        String charid = HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                .digest(uniqid.getBytes(StandardCharsets.UTF_8)));
        String requestGuid = charid.substring(0, 8) + "-" + charid.substring(8, 12) + "-" + charid.substring(12, 16)
                + "-" + charid.substring(16, 20) + "-" + charid.substring(20, 32);

        String requestSummary = String.join("\n", method, requestGuid.toLowerCase(Locale.ROOT), requestTimeIso8601,
                requestPath.toLowerCase(Locale.ROOT), requestQuery, requestBody);
        Mac hmac = Mac.getInstance("HmacSHA512");
        hmac.init(new SecretKeySpec(KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA512"));
        String requestSignature = Base64.getEncoder().encodeToString(
                hmac.doFinal(requestSummary.getBytes(StandardCharsets.UTF_8)));

        Map<String, String> httpHeaders = new LinkedHashMap<>();
        httpHeaders.put("Content-Type", "application/json");
        httpHeaders.put("X-Issuetrak-API-Timestamp", requestTimeIso8601);
        httpHeaders.put("X-Issuetrak-API-Request-ID", requestGuid);
        httpHeaders.put("X-Issuetrak-API-Authorization", requestSignature);
        HttpResponse<String> response = client.send(new SandboxTestClient.Request(method, requestPath, requestQuery,
                requestBody.getBytes(StandardCharsets.UTF_8), httpHeaders));

        assertThat(requestTimeIso8601).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{7}Z");
        assertThat(response.statusCode()).isEqualTo(201);
        ReadNote note = sandbox.notes().get(Long.parseLong(response.body())).orElseThrow();
        // Stored as the server's local time (the default zone, America/St_Johns, is UTC-03:30 in January):
        // 12:32:32-04:00 = 16:32:32Z = 13:02:32 local.
        assertThat(note.createdDate()).isEqualTo("2018-01-01T13:02:32");
        assertThat(note.noteText()).isEqualTo("Testing note creation from PHP.");
    }

    private static void assertUnauthorized(HttpResponse<String> response, String reason) {
        assertThat(response.statusCode()).isEqualTo(401);
        try {
            assertThat(JSON.readTree(response.body()).get("Message").asText())
                    .startsWith("Authorization has been denied for this request")
                    .contains(reason);
        } catch (java.io.IOException e) {
            throw new AssertionError("401 without a JSON body: " + response.body(), e);
        }
        assertThat(response.body()).doesNotContain(KEY);
    }
}
