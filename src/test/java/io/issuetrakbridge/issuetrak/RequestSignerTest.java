package io.issuetrakbridge.issuetrak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.issuetrakbridge.config.ApiKey;
import io.issuetrakbridge.issuetrak.RequestSigner.SignedHeaders;

/**
 * Expected signatures were computed outside Java with OpenSSL (the command above each constant, run
 * in a UTF-8 shell with K='dGVzdC1vbmx5LWtleS1ub3QtYS1zZWNyZXQtMzJieXQ='), so a shared misreading
 * of the scheme between signer and sandbox cannot make these tests pass.
 */
class RequestSignerTest {

    private static final String KEY = "dGVzdC1vbmx5LWtleS1ub3QtYS1zZWNyZXQtMzJieXQ=";
    private static final UUID ID_1 = UUID.fromString("3f2504e0-4f89-41d3-9a0c-0305e82c3301");
    private static final UUID ID_2 = UUID.fromString("9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d");

    private static final String NON_ASCII_BODY = "{\"IssueNumber\":42,\"CreatedDate\":\"2024-03-05T07:08:09.1234567Z\","
            + "\"CreatedBy\":\"APIUser\",\"ShouldSuppressEmailForCreateOperation\":false,"
            + "\"NoteText\":\"Zoë – 日本語 ✓\",\"IsPrivate\":false,\"IsRichText\":false}";

    // printf 'POST\n3f2504e0-4f89-41d3-9a0c-0305e82c3301\n2024-03-05T07:08:09.1234567Z\n/issuetrak/api/v1/notes\n\n{"IssueNumber":42,"CreatedDate":"2024-03-05T07:08:09.1234567Z","CreatedBy":"APIUser","ShouldSuppressEmailForCreateOperation":false,"NoteText":"Zoë – 日本語 ✓","IsPrivate":false,"IsRichText":false}' | openssl dgst -sha512 -hmac "$K" -binary | base64 -w0
    private static final String POST_PREFIX_NON_ASCII = "ecXV7ZQVA3LOsOj7p4gNPgs8wK8Nu74j0TptlO/toFvhfE9LmF33jPUUqEnYNhBy9PeCMDrEcG5/k7eR18xbag==";

    // printf 'GET\n9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d\n2024-03-05T07:08:09.0000000Z\n/api/v1/notes/102\n\n' | openssl dgst -sha512 -hmac "$K" -binary | base64 -w0
    private static final String GET_EMPTY_BODY = "e+uTHeCitoJ3sRJFf6vCfcd4w7CBg3ruT0NipbFZv83Sbtx+KWI15qWm/+tN/HIFY3toKF/5llbzP6+V2qzftw==";

    // printf 'GET\n9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d\n2024-03-05T07:08:09.0000001Z\n/api/v1/notes/issue/7\n?pageIndex=0&pageSize=10\n' | openssl dgst -sha512 -hmac "$K" -binary | base64 -w0
    private static final String GET_WITH_QUERY = "EQGHwyWrXyZ8NlFkfxpM/LU/uYU6NRdtBBlv8URSRbkH2ecN7LIxuShMZqAJWVAgFMEfX84Um407jEOHrb95CA==";

    // printf 'GET\n3f2504e0-4f89-41d3-9a0c-0305e82c3301\n2024-03-05T07:08:09.1234567Z\n/issuetrak/api/v1/notes/7\n\n' | openssl dgst -sha512 -hmac "$K" -binary | base64 -w0
    private static final String GET_LOWERED = "6PNI8XPfU9YP8nxKk1Bvl1K7mhilvZZy/k9J5S4mjX+xJfwGREfyrZVjCD+myonmmi0c8WF0IAg4kBVuGQQ9ZQ==";

    private final RequestSigner signer = new RequestSigner(ApiKey.of(KEY));

    @Test
    void postWithPathPrefixAndNonAsciiBody() {
        SignedHeaders headers = signer.sign("POST", "/issuetrak/api/v1/notes", "",
                NON_ASCII_BODY.getBytes(StandardCharsets.UTF_8), Instant.parse("2024-03-05T07:08:09.123456789Z"), ID_1);

        assertThat(headers.signature()).isEqualTo(POST_PREFIX_NON_ASCII);
        assertThat(headers.timestamp()).isEqualTo("2024-03-05T07:08:09.1234567Z");
        assertThat(headers.requestId()).isEqualTo("3f2504e0-4f89-41d3-9a0c-0305e82c3301");
    }

    @Test
    void getWithEmptyBody() {
        Instant now = Instant.parse("2024-03-05T07:08:09Z");

        assertThat(signer.sign("GET", "/api/v1/notes/102", "", new byte[0], now, ID_2).signature()).isEqualTo(GET_EMPTY_BODY);
        assertThat(signer.sign("GET", "/api/v1/notes/102", null, null, now, ID_2).signature()).isEqualTo(GET_EMPTY_BODY);
    }

    @Test
    void queryIsSignedWithItsQuestionMark() {
        SignedHeaders headers = signer.sign("GET", "/api/v1/notes/issue/7", "?pageIndex=0&pageSize=10", new byte[0],
                Instant.parse("2024-03-05T07:08:09.000000100Z"), ID_2);

        assertThat(headers.signature()).isEqualTo(GET_WITH_QUERY);
    }

    @Test
    void queryWithoutQuestionMarkIsRefused() {
        assertThatThrownBy(() -> signer.sign("GET", "/api/v1/notes", "a=1", null, Instant.EPOCH, ID_1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pathAndRequestIdAreLowerCasedForSigning() {
        SignedHeaders headers = signer.sign("GET", "/Issuetrak/API/V1/Notes/7", "", new byte[0],
                Instant.parse("2024-03-05T07:08:09.1234567Z"), "3F2504E0-4F89-41D3-9A0C-0305E82C3301");

        assertThat(headers.signature()).isEqualTo(GET_LOWERED);
        // The header must carry the same lower-case ID that was signed.
        assertThat(headers.requestId()).isEqualTo("3f2504e0-4f89-41d3-9a0c-0305e82c3301");
    }

    @Test
    void timestampHasExactlySevenFractionalDigits() {
        assertThat(RequestSigner.formatTimestamp(Instant.parse("2024-01-02T03:04:05Z"))).isEqualTo("2024-01-02T03:04:05.0000000Z");
        assertThat(RequestSigner.formatTimestamp(Instant.parse("2024-01-02T03:04:05.1Z"))).isEqualTo("2024-01-02T03:04:05.1000000Z");
        assertThat(RequestSigner.formatTimestamp(Instant.parse("2024-01-02T03:04:05.000000100Z")))
                .isEqualTo("2024-01-02T03:04:05.0000001Z");
        // Below .NET's 100 ns tick: truncated, never rounded into the next tick.
        assertThat(RequestSigner.formatTimestamp(Instant.parse("2024-01-02T03:04:05.999999999Z")))
                .isEqualTo("2024-01-02T03:04:05.9999999Z");
        assertThat(RequestSigner.formatTimestamp(Instant.parse("0999-12-31T23:59:59Z"))).isEqualTo("0999-12-31T23:59:59.0000000Z");
    }

    @Test
    void toStringNeverShowsTheSignature() {
        SignedHeaders headers = signer.sign("GET", "/api/v1/notes/102", "", null, Instant.EPOCH, ID_2);

        assertThat(headers.toString()).doesNotContain(headers.signature()).contains("****");
    }

    @Test
    void signerIsSafeAcrossThreads() throws Exception {
        Instant now = Instant.parse("2024-03-05T07:08:09Z");
        Thread[] threads = new Thread[4];
        String[][] results = new String[threads.length][200];
        for (int t = 0; t < threads.length; t++) {
            int index = t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < results[index].length; i++) {
                    results[index][i] = signer.sign("GET", "/api/v1/notes/102", "", null, now, ID_2).signature();
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        for (String[] perThread : results) {
            assertThat(perThread).containsOnly(GET_EMPTY_BODY);
        }
    }
}
