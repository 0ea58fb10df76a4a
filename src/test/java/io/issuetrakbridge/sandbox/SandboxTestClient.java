package io.issuetrakbridge.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The tests' own Issuetrak caller: signs the way shared/issuetrak-api/README.md describes, independently
 * of both the bridge's signer and the sandbox's verifier, and sends with java.net.http so that what is on
 * the wire is exactly what the test says.
 */
final class SandboxTestClient {

    static final String TIMESTAMP = "X-Issuetrak-API-Timestamp";
    static final String REQUEST_ID = "X-Issuetrak-API-Request-ID";
    static final String AUTHORIZATION = "X-Issuetrak-API-Authorization";

    static final DateTimeFormatter DOTNET_ROUND_TRIP = DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'").withZone(ZoneOffset.UTC);

    /** A signed request as it will be sent; tests tamper with any part before sending. */
    record Request(String method, String path, String query, byte[] body, Map<String, String> headers) {

        Request withPath(String newPath) {
            return new Request(method, newPath, query, body, headers);
        }

        Request withQuery(String newQuery) {
            return new Request(method, path, newQuery, body, headers);
        }

        Request withBody(String newBody) {
            return new Request(method, path, query, newBody.getBytes(StandardCharsets.UTF_8), headers);
        }

        Request withMethod(String newMethod) {
            return new Request(newMethod, path, query, body, headers);
        }

        Request withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Request(method, path, query, body, h);
        }

        Request withoutHeader(String name) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.remove(name);
            return new Request(method, path, query, body, h);
        }
    }

    private final String origin;
    private final HttpClient http;
    private volatile String apiKey;

    SandboxTestClient(String origin, String apiKey) {
        this(origin, apiKey, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build());
    }

    SandboxTestClient(String origin, String apiKey, HttpClient http) {
        this.origin = origin;
        this.apiKey = apiKey;
        this.http = http;
    }

    /** The key the client signs with from now on. */
    void apiKey(String key) {
        apiKey = key;
    }

    Request sign(String method, String path, String query, String body) {
        return sign(method, path, query, body, Instant.now(), UUID.randomUUID().toString());
    }

    Request sign(String method, String path, String query, String body, Instant at, String requestId) {
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        String timestamp = DOTNET_ROUND_TRIP.format(at);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(TIMESTAMP, timestamp);
        headers.put(REQUEST_ID, requestId);
        headers.put(AUTHORIZATION, signature(apiKey, method, requestId, timestamp, path, query, bodyBytes));
        if (!body.isEmpty()) {
            headers.put("Content-Type", "application/json");
        }
        return new Request(method, path, query, bodyBytes, headers);
    }

    static String signature(String key, String method, String requestId, String timestamp, String path, String query,
            byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA512");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA512"));
            String head = String.join("\n", method, requestId.toLowerCase(Locale.ROOT), timestamp,
                    path.toLowerCase(Locale.ROOT), query, "");
            mac.update(head.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String path) {
        return send(sign("GET", path, "", ""));
    }

    HttpResponse<String> post(String path, String body) {
        return send(sign("POST", path, "", body));
    }

    HttpResponse<String> send(Request request) {
        return send(request, Duration.ofSeconds(30));
    }

    HttpResponse<String> send(Request request, Duration timeout) {
        try {
            return sendOrThrow(request, timeout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** For the tests that expect the connection to fail or time out. */
    HttpResponse<String> sendOrThrow(Request request, Duration timeout) throws IOException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(origin + request.path() + request.query()))
                .timeout(timeout)
                .method(request.method(), request.body().length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach(builder::header);
        try {
            return http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Unsigned call to the admin API. */
    HttpResponse<String> admin(String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(origin + SandboxServer.ADMIN_PATH + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String noteJson(long issue, String createdBy, String noteText) {
        return "{\"IssueNumber\":" + issue + ",\"CreatedDate\":\"2024-05-06T07:08:09.1234567\",\"CreatedBy\":\""
                + createdBy + "\",\"ShouldSuppressEmailForCreateOperation\":true,\"NoteText\":\"" + noteText
                + "\",\"IsPrivate\":false,\"IsRichText\":false}";
    }
}
