package io.issuetrakbridge.sandbox;

import static io.issuetrakbridge.sandbox.SandboxTestClient.noteJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.config.ApiKey;
import io.issuetrakbridge.issuetrak.dto.KeyValue;
import io.issuetrakbridge.issuetrak.dto.NotePage;
import io.issuetrakbridge.issuetrak.dto.ReadNote;

/**
 * The three Notes operations with every status code of api-operations-notes.txt, served under a path
 * prefix as an Issuetrak installed in a sub-application would be.
 */
class SandboxApiTest extends SandboxTestSupport {

    private static final String API = "/issuetrak/api/v1";
    private static final long MAX_ISSUE = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        SandboxSettings defaults = SandboxSettings.defaults(ApiKey.of(KEY));
        startSandbox(new SandboxSettings(defaults.host(), 0, "/issuetrak", defaults.apiKey(),
                Set.of("Admin", "APIUser", "bridge"), 1, MAX_ISSUE, defaults.maxClockSkew(), defaults.tlsCertPem(),
                defaults.tlsKeyPem()));
    }

    @AfterAll
    static void stop() {
        stopSandbox();
    }

    @BeforeEach
    void reset() {
        resetSandbox();
    }

    @Test
    void baseUrlCarriesThePrefix() {
        assertThat(sandbox.baseUrl()).isEqualTo("http://127.0.0.1:" + sandbox.port() + "/issuetrak");
    }

    @Test
    void createAnswers201WithTheBareNoteId() {
        HttpResponse<String> created = client.post(API + "/notes", noteJson(6, "Admin", "This is a test public note."));

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.body()).matches("[1-9][0-9]*");
        assertThat(sandbox.notes().get(Long.parseLong(created.body()))).isPresent();
    }

    @Test
    void noteIdsIncrease() {
        long first = Long.parseLong(client.post(API + "/notes", noteJson(1, "Admin", "one")).body());
        long second = Long.parseLong(client.post(API + "/notes", noteJson(2, "Admin", "two")).body());
        sandbox.notes().clear();
        long third = Long.parseLong(client.post(API + "/notes", noteJson(1, "Admin", "three")).body());

        assertThat(second).isGreaterThan(first);
        assertThat(third).isGreaterThan(second);
    }

    @Test
    void createAcceptsTheSampleUrlWithTrailingSlash() {
        // api-operations-notes.txt: "Sample Request URL: ~/api/v1/notes/"
        assertThat(client.post(API + "/notes/", noteJson(6, "Admin", "x")).statusCode()).isEqualTo(201);
    }

    @Test
    void getNoteAnswers200WithReadNoteDtoAndMetadata() throws Exception {
        String body = "{\"IssueNumber\":6,\"CreatedDate\":\"2014-01-01T11:30:10.0000000\",\"CreatedBy\":\"APIUser\","
                + "\"ShouldSuppressEmailForCreateOperation\":false,\"NoteText\":\"What I've done\","
                + "\"IsPrivate\":true,\"IsRichText\":true}";
        String id = client.post(API + "/notes", body).body();

        HttpResponse<String> read = client.get(API + "/notes/" + id);

        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/json"));
        JsonNode note = JSON.readTree(read.body());
        assertThat(note.get("ExtensionData").isArray()).isTrue();
        assertThat(note.get("ExtensionData")).isEmpty();
        assertThat(note.get("Metadata").get(0).get("Key").asText()).isEqualTo("APIVersion");
        assertThat(note.get("Metadata").get(0).get("Value").asText()).isEqualTo("v1");
        assertThat(note.get("Metadata").get(1).get("Key").asText()).isEqualTo("QueryDate");
        assertThat(note.get("Metadata").get(1).get("Value").asText())
                .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{7}Z");
        assertThat(note.get("NoteID").asLong()).isEqualTo(Long.parseLong(id));
        assertThat(note.get("IssueNumber").asLong()).isEqualTo(6);
        // datetime keeps no trailing zeros: Json.NET writes a whole second without a fraction.
        assertThat(note.get("CreatedDate").asText()).isEqualTo("2014-01-01T11:30:10");
        assertThat(note.get("CreatedBy").asText()).isEqualTo("APIUser");
        assertThat(note.has("ModifiedBy")).isTrue();
        assertThat(note.has("ModifiedDate")).isTrue();
        assertThat(note.get("NoteText").asText()).isEqualTo("What I've done");
        assertThat(note.get("IsPrivate").asBoolean()).isTrue();
        assertThat(note.get("IsRichText").asBoolean()).isTrue();

        // And the bridge's own DTO binds it.
        ReadNote dto = JSON.readValue(read.body(), ReadNote.class);
        assertThat(dto.metadata()).first().isEqualTo(new KeyValue("APIVersion", "v1"));
    }

    @Test
    void getNoteAnswers404ForANonExistentNote() throws Exception {
        HttpResponse<String> read = client.get(API + "/notes/987654");

        assertThat(read.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(read.body()).get("Message").asText()).contains("987654");
    }

    @ParameterizedTest
    @ValueSource(strings = { "-1", "0", "-102", "99999999999", "99999999999999999999999" })
    void getNoteAnswers400ForAnImpossibleId(String id) throws Exception {
        HttpResponse<String> read = client.get(API + "/notes/" + id);

        assertThat(read.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(read.body()).get("Message").asText()).contains("noteID");
    }

    @ParameterizedTest
    @ValueSource(strings = { "abc", "1.5", "12a", "-", "%20" })
    void getNoteAnswers422ForANonNumericId(String id) throws Exception {
        HttpResponse<String> read = client.get(API + "/notes/" + id);

        assertThat(read.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(read.body()).get("Message").asText()).contains("not a valid integer");
    }

    @Test
    void notesOfAnIssueAnswer200WithThePagedWrapper() throws Exception {
        long first = Long.parseLong(client.post(API + "/notes", noteJson(6, "Admin", "first")).body());
        long second = Long.parseLong(client.post(API + "/notes", noteJson(6, "bridge", "second")).body());
        client.post(API + "/notes", noteJson(7, "Admin", "other issue"));

        HttpResponse<String> page = client.get(API + "/notes/issue/6");

        assertThat(page.statusCode()).isEqualTo(200);
        JsonNode wrapper = JSON.readTree(page.body());
        assertThat(wrapper.get("IsPageIndexZeroBased").asBoolean()).isTrue();
        assertThat(wrapper.get("PageIndex").asInt()).isZero();
        assertThat(wrapper.get("CountForPage").asInt()).isEqualTo(2);
        assertThat(wrapper.get("PageSize").asInt()).isEqualTo(Integer.MAX_VALUE);
        assertThat(wrapper.get("TotalCount").asInt()).isEqualTo(2);
        assertThat(wrapper.get("Collection")).hasSize(2);
        assertThat(wrapper.get("Collection").get(0).get("Metadata").get(0).get("Value").asText()).isEqualTo("v1");
        NotePage dto = JSON.readValue(page.body(), NotePage.class);
        assertThat(dto.collection()).extracting(ReadNote::noteId).containsExactly(first, second);
        assertThat(dto.collection()).extracting(ReadNote::noteText).containsExactly("first", "second");
    }

    @Test
    void notesOfAnExistingIssueWithoutNotesAnswer200Empty() throws Exception {
        HttpResponse<String> page = client.get(API + "/notes/issue/42");

        assertThat(page.statusCode()).isEqualTo(200);
        NotePage dto = JSON.readValue(page.body(), NotePage.class);
        assertThat(dto.totalCount()).isZero();
        assertThat(dto.countForPage()).isZero();
        assertThat(dto.collection()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "501", "-6", "0", "99999999999" })
    void notesOfANonExistentOrNegativeIssueAnswer400(String issue) throws Exception {
        HttpResponse<String> page = client.get(API + "/notes/issue/" + issue);

        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(page.body()).get("Message").asText()).isNotBlank();
    }

    @Test
    void notesOfANonNumericIssueAnswer422() throws Exception {
        HttpResponse<String> page = client.get(API + "/notes/issue/six");

        assertThat(page.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(page.body()).get("Message").asText()).contains("issueNumber");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            malformed JSON          | {"IssueNumber":6,                                                                            | note                | The request body is not valid JSON
            JSON array              | []                                                                                           | note                | Cannot deserialize the current JSON array into type 'CreateNoteDTO'
            JSON null               | null                                                                                         | note                | A CreateNoteDTO is required in the request body.
            empty body              | ``                                                                                           | note                | A CreateNoteDTO is required in the request body.
            wrong type              | {"IssueNumber":"six","CreatedDate":"2024-01-01T00:00:00","CreatedBy":"Admin","NoteText":"x"} | note.IssueNumber    | Could not convert string to integer: six. Path 'IssueNumber'.
            fractional issue        | {"IssueNumber":6.5,"CreatedDate":"2024-01-01T00:00:00","CreatedBy":"Admin","NoteText":"x"}   | note.IssueNumber    | Input string '6.5' is not a valid integer. Path 'IssueNumber'.
            missing NoteText        | {"IssueNumber":6,"CreatedDate":"2024-01-01T00:00:00","CreatedBy":"Admin"}                    | note.NoteText       | The NoteText field is required.
            empty NoteText          | {"IssueNumber":6,"CreatedDate":"2024-01-01T00:00:00","CreatedBy":"Admin","NoteText":""}      | note.NoteText       | The NoteText field is required.
            blank NoteText          | {"IssueNumber":6,"CreatedDate":"2024-01-01T00:00:00","CreatedBy":"Admin","NoteText":"   "} | note.NoteText       | The NoteText field is required.
            missing CreatedBy       | {"IssueNumber":6,"CreatedDate":"2024-01-01T00:00:00","NoteText":"x"}                         | note.CreatedBy      | The CreatedBy field is required.
            inactive CreatedBy      | {"IssueNumber":6,"CreatedDate":"2024-01-01T00:00:00","CreatedBy":"Mallory","NoteText":"x"}   | note.CreatedBy      | CreatedBy 'Mallory' does not reference an existing, active User.
            missing IssueNumber     | {"CreatedDate":"2024-01-01T00:00:00","CreatedBy":"Admin","NoteText":"x"}                     | note.IssueNumber    | The IssueNumber field is required.
            null IssueNumber        | {"IssueNumber":null,"CreatedBy":"Admin","NoteText":"x"}                                      | note.IssueNumber    | Error converting value {null} to type 'System.Int32'. Path 'IssueNumber'.
            non-existent issue      | {"IssueNumber":501,"CreatedDate":"2024-01-01T00:00:00","CreatedBy":"Admin","NoteText":"x"}   | note.IssueNumber    | IssueNumber 501 does not correspond to an existing Issue.
            negative issue          | {"IssueNumber":-6,"CreatedDate":"2024-01-01T00:00:00","CreatedBy":"Admin","NoteText":"x"}    | note.IssueNumber    | IssueNumber -6 does not correspond to an existing Issue.
            unparsable CreatedDate  | {"IssueNumber":6,"CreatedDate":"yesterday","CreatedBy":"Admin","NoteText":"x"}               | note.CreatedDate    | Could not convert string to DateTime: yesterday. Path 'CreatedDate'.
            impossible CreatedDate  | {"IssueNumber":6,"CreatedDate":"2024-02-30T00:00:00","CreatedBy":"Admin","NoteText":"x"}     | note.CreatedDate    | Could not convert string to DateTime: 2024-02-30T00:00:00. Path 'CreatedDate'.
            numeric CreatedDate     | {"IssueNumber":6,"CreatedDate":20240101,"CreatedBy":"Admin","NoteText":"x"}                  | note.CreatedDate    | Unexpected token parsing date. Expected String, got Number. Path 'CreatedDate'.
            before datetime's range | {"IssueNumber":6,"CreatedDate":"1752-12-31T23:59:59","CreatedBy":"Admin","NoteText":"x"}     | note.CreatedDate    | SqlDateTime overflow. Must be between 1/1/1753 12:00:00 AM and 12/31/9999 11:59:59 PM.
            rounded past its range  | {"IssueNumber":6,"CreatedDate":"9999-12-31T23:59:59.999","CreatedBy":"Admin","NoteText":"x"} | note.CreatedDate    | SqlDateTime overflow. Must be between 1/1/1753 12:00:00 AM and 12/31/9999 11:59:59 PM.
            boolean not a boolean   | {"IssueNumber":6,"CreatedBy":"Admin","NoteText":"x","IsPrivate":"maybe"}                     | note.IsPrivate      | Could not convert to boolean: "maybe". Path 'IsPrivate'.
            """)
    void createAnswers400WithModelStateForInvalidData(String caseName, String body, String key, String message)
            throws Exception {
        HttpResponse<String> created = client.post(API + "/notes", body);

        assertThat(created.statusCode()).isEqualTo(400);
        assertThat(created.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/json"));
        JsonNode error = JSON.readTree(created.body());
        assertThat(error.get("Message").asText()).isEqualTo("The request is invalid.");
        assertThat(error.get("ModelState").get(key).isArray()).as(created.body()).isTrue();
        assertThat(error.get("ModelState").get(key).get(0).asText()).as(created.body()).startsWith(message);
        assertThat(sandbox.notes().size()).isZero();
    }

    @Test
    void everyInvalidFieldIsReportedUnderItsOwnKey() throws Exception {
        HttpResponse<String> created = client.post(API + "/notes",
                "{\"IssueNumber\":501,\"CreatedBy\":\"\",\"CreatedDate\":\"soon\",\"IsRichText\":7}");

        assertThat(created.statusCode()).isEqualTo(400);
        JsonNode modelState = JSON.readTree(created.body()).get("ModelState");
        List<String> keys = new java.util.ArrayList<>();
        modelState.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyInAnyOrder("note.IssueNumber", "note.CreatedBy", "note.CreatedDate",
                "note.NoteText", "note.IsRichText");
        assertThat(modelState.get("note.NoteText").get(0).asText()).isEqualTo("The NoteText field is required.");
        assertThat(modelState.get("note.CreatedBy").get(0).asText()).isEqualTo("The CreatedBy field is required.");
    }

    @Test
    void propertyNamesMatchIgnoringCaseAsJsonNetDoes() {
        String body = "{\"issuenumber\":6,\"createdby\":\"Admin\",\"notetext\":\"lower-case names\"}";

        HttpResponse<String> created = client.post(API + "/notes", body);

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(sandbox.notes().get(Long.parseLong(created.body())).orElseThrow().noteText())
                .isEqualTo("lower-case names");
    }

    @Test
    void createIgnoresUnknownFields() {
        String body = "{\"IssueNumber\":6,\"CreatedDate\":\"2024-01-01T00:00:00\",\"CreatedBy\":\"Admin\","
                + "\"NoteText\":\"x\",\"Extra\":{\"a\":[1,2]}}";

        assertThat(client.post(API + "/notes", body).statusCode()).isEqualTo(201);
    }

    @ParameterizedTest
    @CsvSource({ "apiuser, APIUser", "ADMIN, Admin", "Bridge, bridge", "APIUser, APIUser" })
    void createdByMatchesUsersIgnoringCaseAndIsStoredInTheUsersOwnCasing(String sent, String stored)
            throws Exception {
        String id = client.post(API + "/notes", noteJson(6, sent, "casing")).body();

        assertThat(JSON.readValue(client.get(API + "/notes/" + id).body(), ReadNote.class).createdBy())
                .isEqualTo(stored);
        assertThat(JSON.readValue(client.get(API + "/notes/issue/6").body(), NotePage.class).collection())
                .extracting(ReadNote::createdBy).containsExactly(stored);
        assertThat(sandbox.notes().get(Long.parseLong(id)).orElseThrow().createdBy()).isEqualTo(stored);
    }

    @Test
    void noteTextIsStoredAndReturnedUntouched() throws Exception {
        String text = "<b>&lt;Zoë 日本</b> \"quoted\" \\ tab\t newline\n emoji \uD83D\uDE00 &amp; <script>x</script>";
        String body = JSON.writeValueAsString(JSON.createObjectNode().put("IssueNumber", 6)
                .put("CreatedDate", "2024-05-06T07:08:09.1234567").put("CreatedBy", "Admin").put("NoteText", text));
        String id = client.post(API + "/notes", body).body();

        ReadNote byId = JSON.readValue(client.get(API + "/notes/" + id).body(), ReadNote.class);
        NotePage byIssue = JSON.readValue(client.get(API + "/notes/issue/6").body(), NotePage.class);

        assertThat(byId.noteText()).isEqualTo(text);
        assertThat(byIssue.collection().get(0).noteText()).isEqualTo(text);
        assertThat(sandbox.notes().get(Long.parseLong(id)).orElseThrow().noteText()).isEqualTo(text);
    }

    @Test
    void htmlIshNoteTextFromTheBriefComesBackByteForByte() {
        String id = client.post(API + "/notes", noteJson(6, "Admin", "<b>&lt;Zoë 日本</b>")).body();

        assertThat(client.get(API + "/notes/" + id).body()).contains("\"NoteText\":\"<b>&lt;Zoë 日本</b>\"");
    }

    @Test
    void unknownRoutesAnswerIisHtml404BeforeAnySignatureCheck() throws Exception {
        HttpResponse<String> signed = client.get(API + "/issues/1");
        HttpResponse<String> unsigned = client.send(client.sign("GET", API + "/issues/1", "", "")
                .withoutHeader(SandboxTestClient.AUTHORIZATION).withoutHeader(SandboxTestClient.TIMESTAMP)
                .withoutHeader(SandboxTestClient.REQUEST_ID));
        HttpResponse<String> wrongVersion = client.send(client.sign("POST", "/issuetrak/api/v2/notes", "",
                noteJson(6, "Admin", "x")).withHeader(SandboxTestClient.AUTHORIZATION, "forged"));

        for (HttpResponse<String> notFound : List.of(signed, unsigned, wrongVersion)) {
            assertThat(notFound.statusCode()).isEqualTo(404);
            assertThat(notFound.headers().firstValue("Content-Type")).hasValueSatisfying(
                    ct -> assertThat(ct).startsWith("text/html"));
            assertThat(notFound.body()).startsWith("<!DOCTYPE html").contains("404 - File or directory not found.");
        }
        assertThat(sandbox.notes().size()).isZero();
    }

    @Test
    void aWrongMethodOnAKnownRouteIsAnswered405AfterTheSignatureCheck() {
        HttpResponse<String> wrongMethod = client.send(client.sign("DELETE", API + "/notes/1", "", ""));
        HttpResponse<String> unsigned = client.send(client.sign("DELETE", API + "/notes/1", "", "")
                .withHeader(SandboxTestClient.AUTHORIZATION, "forged"));

        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET");
        assertThat(unsigned.statusCode()).isEqualTo(401);
    }

    @Test
    void apiWithoutThePrefixIsNotServed() {
        assertThat(client.get("/api/v1/notes/1").statusCode()).isEqualTo(404);
    }

    @Test
    void adminListsNotesAndCountsRequests() throws Exception {
        client.post(API + "/notes", noteJson(6, "Admin", "a"));
        client.post(API + "/notes", noteJson(7, "Admin", "b"));
        client.get(API + "/notes/999999");

        List<ReadNote> all = List.of(JSON.readValue(client.admin("GET", "/notes", null).body(), ReadNote[].class));
        List<ReadNote> issue7 = List.of(JSON.readValue(client.admin("GET", "/notes?issue=7", null).body(),
                ReadNote[].class));
        JsonNode stats = JSON.readTree(client.admin("GET", "/stats", null).body());

        assertThat(all).extracting(ReadNote::noteText).containsExactly("a", "b");
        assertThat(issue7).extracting(ReadNote::noteText).containsExactly("b");
        assertThat(stats.get("requests").get("201").asLong()).isEqualTo(2);
        assertThat(stats.get("requests").get("404").asLong()).isEqualTo(1);
        assertThat(stats.get("notesCreated").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(stats.get("notesStored").asLong()).isEqualTo(2);

        assertThat(client.admin("DELETE", "/notes", null).statusCode()).isEqualTo(204);
        assertThat(sandbox.notes().size()).isZero();
        // The admin API also answers under the prefix, where a client holding the base URL looks for it.
        assertThat(new SandboxTestClient(origin() + "/issuetrak", KEY).admin("GET", "/stats", null).statusCode())
                .isEqualTo(200);
    }
}
