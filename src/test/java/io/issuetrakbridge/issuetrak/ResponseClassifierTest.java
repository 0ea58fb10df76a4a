package io.issuetrakbridge.issuetrak;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.config.ApiKey;
import io.issuetrakbridge.issuetrak.IssuetrakException.Ambiguous;
import io.issuetrakbridge.issuetrak.IssuetrakException.Rejected;
import io.issuetrakbridge.issuetrak.IssuetrakException.Throttled;
import io.issuetrakbridge.issuetrak.IssuetrakException.Unavailable;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.impl.NoStackTraceTimeoutException;

class ResponseClassifierTest {

    private static final String KEY = "ab+cd/ef0123456789ABCDEFGHIJKLMNOPQRSTUVWXY=";
    private static final String SIGNATURE = "e+uTHeCitoJ3sRJFf6vCfcd4w7CBg3ruT0NipbFZv83Sbtx+KWI15qWm/+tN/HIFY3toKF/5llbzP6+V2qzftw==";
    private static final Instant NOW = Instant.parse("2024-03-05T07:08:09Z");

    private final ResponseClassifier classifier = new ResponseClassifier(ApiKey.of(KEY), new ObjectMapper(),
            Clock.fixed(NOW, ZoneOffset.UTC));

    @ParameterizedTest
    @CsvSource({
            "200, ", "201, ", "204, ",
            "400, REJECTED", "404, REJECTED", "422, REJECTED", "405, REJECTED", "409, REJECTED", "413, REJECTED",
            "401, UNAUTHORIZED", "403, UNAUTHORIZED",
            "429, THROTTLED",
            "500, UNAVAILABLE", "502, UNAVAILABLE", "503, UNAVAILABLE", "504, UNAVAILABLE",
            "301, UNAVAILABLE", "302, UNAVAILABLE" })
    void statusTable(int status, FailureCategory expected) {
        Optional<IssuetrakException> outcome = classifier.classify("GET /api/v1/notes/1", status, null,
                "{\"Message\":\"x\"}", SIGNATURE);

        assertThat(outcome.map(IssuetrakException::category).orElse(null)).isEqualTo(expected);
        outcome.ifPresent(e -> assertThat(e.status()).hasValue(status));
    }

    @Test
    void aNotFoundCreateIsAMissingRouteNotARejectedNote() {
        String iisPage = "<html><head><title>404 - File or directory not found.</title></head><body>...</body></html>";

        IssuetrakException create = classifier.classify("POST /helpdesk/api/v1/notes", 404, null, iisPage, SIGNATURE)
                .orElseThrow();
        IssuetrakException read = classifier.classify("GET /helpdesk/api/v1/notes/7", 404, null, iisPage, SIGNATURE)
                .orElseThrow();

        assertThat(create.category()).isEqualTo(FailureCategory.UNAVAILABLE);
        assertThat(create.status()).hasValue(404);
        assertThat(create.getMessage()).isEqualTo("Issuetrak answered 404 to POST /helpdesk/api/v1/notes: "
                + "an HTML page titled \"404 - File or directory not found.\"; the notes route is not at this URL: check issuetrak.base-url");
        assertThat(read.category()).isEqualTo(FailureCategory.REJECTED);
    }

    @Test
    void rejectionCarriesIssuetrakMessage() {
        IssuetrakException e = classifier.classify("POST /api/v1/notes", 400, null,
                "{\"Message\":\"Issue 999 does not exist.\"}", SIGNATURE).orElseThrow();

        assertThat(e).isInstanceOf(Rejected.class);
        assertThat(e.getMessage()).isEqualTo("Issuetrak answered 400 to POST /api/v1/notes: Issue 999 does not exist.");
    }

    @Test
    void nonJsonBodyIsShownAsText() {
        IssuetrakException e = classifier.classify("GET /x", 503, null, "Service Unavailable", SIGNATURE).orElseThrow();

        assertThat(e.getMessage()).isEqualTo("Issuetrak answered 503 to GET /x: Service Unavailable");
    }

    @Test
    void invalidDtoCarriesTheModelStateMessages() {
        // ASP.NET Web API's answer to an invalid DTO; the empty key is an error about the body as a whole.
        String body = """
                {"Message":"The request is invalid.","ModelState":{
                  "note.CreatedBy":["The CreatedBy field is required."],
                  "note.IssueNumber":["The field IssueNumber must be between 1 and 2147483647.","Issue 0 does not exist."],
                  "":["Unexpected character."]}}""";

        IssuetrakException e = classifier.classify("POST /api/v1/notes", 400, null, body, SIGNATURE).orElseThrow();

        assertThat(e).isInstanceOf(Rejected.class);
        assertThat(e.getMessage()).isEqualTo("Issuetrak answered 400 to POST /api/v1/notes: The request is invalid. "
                + "note.CreatedBy: The CreatedBy field is required.; note.IssueNumber: The field IssueNumber must be "
                + "between 1 and 2147483647. Issue 0 does not exist.; Unexpected character.");
    }

    @Test
    void anHtmlPageIsNamedByItsTitleNotShown() {
        String iis = """
                <!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
                <html xmlns="http://www.w3.org/1999/xhtml"><head>
                <title>IIS 10.0 Detailed Error - 503.0 - Service Unavailable</title>
                <style type="text/css">body{margin:0;font-size:.7em;}</style></head>
                <body><div id="content"><h3>HTTP Error 503.0 - Service Unavailable</h3>%s</div></body></html>
                """.formatted("<p>Most likely causes: the application pool is stopped.</p>".repeat(200));
        String aspNet = """

                <html>
                    <head>
                        <title>Runtime Error</title>
                    </head>
                    <body bgcolor="white"><span><h1>Server Error in '/' Application.<hr width=100%% size=1></h1>
                    <pre>%s</pre></body>
                </html>""".formatted(KEY);
        String untitled = "<html><body><p>Bad Gateway</p></body></html>";

        assertThat(classifier.classify("POST /api/v1/notes", 503, null, iis, SIGNATURE).orElseThrow().getMessage())
                .isEqualTo("Issuetrak answered 503 to POST /api/v1/notes: an HTML page titled "
                        + "\"IIS 10.0 Detailed Error - 503.0 - Service Unavailable\"");
        assertThat(classifier.classify("GET /x", 500, null, aspNet, SIGNATURE).orElseThrow().getMessage())
                .isEqualTo("Issuetrak answered 500 to GET /x: an HTML page titled \"Runtime Error\"");
        assertThat(classifier.classify("GET /x", 404, null, untitled, SIGNATURE).orElseThrow().getMessage())
                .isEqualTo("Issuetrak answered 404 to GET /x: an HTML page");
    }

    @Test
    void longMessagesAreTruncated() {
        String body = "{\"Message\":\"" + "x".repeat(5000) + "\"}";

        IssuetrakException e = classifier.classify("GET /x", 400, null, body, SIGNATURE).orElseThrow();

        assertThat(e.getMessage()).hasSizeLessThan(ResponseClassifier.MAX_MESSAGE_LENGTH + 100);
    }

    @Test
    void echoedKeyAndSignatureNeverReachTheMessage() {
        // A misbehaving proxy or server echoing the request, in every shape a key can take in a body.
        String body = "{\"Message\":\"Bad request. Key " + KEY + "; headers: X-Issuetrak-API-Authorization: " + SIGNATURE
                + ", x-issuetrak-api-authorization=SomeOtherRequestsSignature0123456789==\"}";
        String escaped = "{\"Echo\":\"" + KEY.replace("/", "\\/") + "\",\"Sig\":\"" + SIGNATURE.replace("/", "\\/") + "\"}";
        String urlEncoded = "key=ab%2Bcd%2Fef0123456789ABCDEFGHIJKLMNOPQRSTUVWXY%3D";
        String plain = "X-Issuetrak-API-Authorization: " + SIGNATURE + "\r\nX-Issuetrak-API-Timestamp: 2024\r\n" + KEY;

        for (String echoed : new String[] { body, escaped, urlEncoded, plain }) {
            for (int status : new int[] { 400, 401, 429, 500 }) {
                String message = classifier.classify("POST /api/v1/notes", status, null, echoed, SIGNATURE).orElseThrow()
                        .getMessage();
                assertThat(message)
                        .doesNotContain(KEY)
                        .doesNotContain("ab+cd")
                        .doesNotContain("ab%2Bcd")
                        .doesNotContain(SIGNATURE.substring(0, 20))
                        .doesNotContain("SomeOtherRequestsSignature")
                        .doesNotContain("\r").doesNotContain("\n")
                        .contains("****");
            }
        }
    }

    @Test
    void throttledCarriesRetryAfter() {
        Throttled seconds = (Throttled) classifier.classify("GET /x", 429, "7", "", SIGNATURE).orElseThrow();
        Throttled date = (Throttled) classifier.classify("GET /x", 429, "Tue, 05 Mar 2024 07:08:39 GMT", "", SIGNATURE)
                .orElseThrow();
        Throttled none = (Throttled) classifier.classify("GET /x", 429, null, "", SIGNATURE).orElseThrow();

        assertThat(seconds.retryAfter()).contains(Duration.ofSeconds(7));
        assertThat(date.retryAfter()).contains(Duration.ofSeconds(30));
        assertThat(none.retryAfter()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0|PT0S",
            "120|PT2M",
            " 5 |PT5S",
            "Tue, 05 Mar 2024 07:09:09 GMT|PT1M",
            "Tue, 5 Mar 2024 07:08:10 GMT|PT1S",
            // A date in the past means "now".
            "Mon, 04 Mar 2024 07:08:09 GMT|PT0S",
            "-5|",
            "1.5|",
            "soon|",
            "2024-03-05T07:09:09Z|",
            "99999999999999999999|",
            "|" })
    void retryAfterForms(String header, Duration expected) {
        assertThat(ResponseClassifier.parseRetryAfter(header, NOW)).isEqualTo(Optional.ofNullable(expected));
    }

    @Test
    void failuresBeforeSendingAreUnavailable() {
        assertThat(classifier.classify("POST /n", new ConnectException("Connection refused: /127.0.0.1:1")))
                .isInstanceOf(Unavailable.class);
        assertThat(classifier.classify("POST /n", new UnknownHostException("Failed to resolve 'nonexistent.invalid'")))
                .isInstanceOf(Unavailable.class);
        assertThat(classifier.classify("POST /n", new ConnectTimeoutException("connection timed out: /10.0.0.1:443")))
                .isInstanceOf(Unavailable.class);
        assertThat(classifier.classify("POST /n", new VertxException(new UnknownHostException("x"))))
                .isInstanceOf(Unavailable.class);
        assertThat(classifier.classify("POST /n",
                new NoStackTraceTimeoutException("The timeout of 100 ms has been exceeded when getting a connection to h:1")))
                .isInstanceOf(Unavailable.class);
        assertThat(classifier.classify("POST /n", new javax.net.ssl.SSLHandshakeException("PKIX path building failed")))
                .isInstanceOf(Unavailable.class);
    }

    @Test
    void failuresAfterSendingAreAmbiguous() {
        assertThat(classifier.classify("POST /n",
                new NoStackTraceTimeoutException("The timeout period of 100ms has been exceeded while executing POST /n")))
                .isInstanceOf(Ambiguous.class);
        assertThat(classifier.classify("POST /n", new java.util.concurrent.TimeoutException())).isInstanceOf(Ambiguous.class);
        assertThat(classifier.classify("POST /n", new VertxException("Connection was closed", true)))
                .isInstanceOf(Ambiguous.class);
        assertThat(classifier.classify("POST /n", new HttpClosedException("Connection was closed")))
                .isInstanceOf(Ambiguous.class);
        assertThat(classifier.classify("POST /n", new SocketException("Connection reset"))).isInstanceOf(Ambiguous.class);
        assertThat(classifier.classify("POST /n", new IOException("Connection reset by peer"))).isInstanceOf(Ambiguous.class);
        // Unknown means "cannot prove it did not happen".
        assertThat(classifier.classify("POST /n", new IllegalStateException("?"))).isInstanceOf(Ambiguous.class);
    }

    @Test
    void alreadyClassifiedFailuresPassThrough() {
        Rejected rejected = new Rejected(400, "no");

        assertThat(classifier.classify("POST /n", rejected)).isSameAs(rejected);
    }

    @Test
    void transportMessagesAreScrubbedToo() {
        IssuetrakException e = classifier.classify("POST /n", new IOException("peer said " + KEY));

        assertThat(e.getMessage()).doesNotContain(KEY);
    }
}
