package io.issuetrakbridge.issuetrak;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.issuetrakbridge.config.ApiKey;

/**
 * Computes Issuetrak's HMAC-SHA512 request signature (shared/issuetrak-api/README.md):
 * {@code Base64(HMAC-SHA512(utf8(apiKeyText), METHOD \n lower(requestId) \n timestamp \n lower(path) \n query \n body))}.
 * Pure and thread-safe; the caller sends exactly the path, query and body bytes it signed.
 */
public final class RequestSigner {

    /** Header carrying {@link SignedHeaders#timestamp()}. */
    public static final String TIMESTAMP_HEADER = "X-Issuetrak-API-Timestamp";
    /** Header carrying {@link SignedHeaders#requestId()}. */
    public static final String REQUEST_ID_HEADER = "X-Issuetrak-API-Request-ID";
    /** Header carrying {@link SignedHeaders#signature()}. */
    public static final String AUTHORIZATION_HEADER = "X-Issuetrak-API-Authorization";

    /**
     * .NET's round-trip ("o") format in UTC: seven fractional digits, always present, then {@code Z}.
     * Finer precision than 100 ns is truncated, as .NET ticks would.
     */
    public static final DateTimeFormatter TIMESTAMP_FORMAT = DateTimeFormatter
            .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private static final String ALGORITHM = "HmacSHA512";
    private static final byte NEWLINE = '\n';

    // Mac is stateful and not thread-safe; one per thread avoids re-keying on every request of the hot path.
    private final ThreadLocal<Mac> mac;

    public RequestSigner(ApiKey apiKey) {
        Objects.requireNonNull(apiKey, "apiKey");
        SecretKeySpec key = new SecretKeySpec(apiKey.hmacKey(), ALGORITHM);
        newMac(key); // fail at construction, not on the first request, if the JVM lacks the algorithm
        this.mac = ThreadLocal.withInitial(() -> newMac(key));
    }

    /** The three header values of one request. */
    public record SignedHeaders(String timestamp, String requestId, String signature) {
        @Override
        public String toString() {
            // A signature is a credential for as long as the server's clock-skew window: never print it.
            return "SignedHeaders[timestamp=" + timestamp + ", requestId=" + requestId + ", signature=****]";
        }
    }

    /** Formats an instant as Issuetrak's timestamp header, e.g. {@code 2014-09-10T17:28:08.3227351Z}. */
    public static String formatTimestamp(Instant instant) {
        return TIMESTAMP_FORMAT.format(instant);
    }

    /**
     * Signs one request.
     *
     * @param method HTTP method as sent, e.g. {@code POST}
     * @param path absolute request path as sent, with any deployment prefix and {@code /api/v1}; lower-cased for signing only
     * @param query raw query as appended to the URL, including its leading {@code ?}; empty when there is none
     * @param body exactly the bytes sent; empty (or null) for GET
     * @param now the request's time; becomes the timestamp header
     * @param requestId a fresh ID for this request
     */
    public SignedHeaders sign(String method, String path, String query, byte[] body, Instant now, UUID requestId) {
        return sign(method, path, query, body, now, requestId.toString());
    }

    /** As {@link #sign(String, String, String, byte[], Instant, UUID)}, for a request ID given as text. */
    public SignedHeaders sign(String method, String path, String query, byte[] body, Instant now, String requestId) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(requestId, "requestId");
        String q = query == null ? "" : query;
        if (!q.isEmpty() && q.charAt(0) != '?') {
            // Signing "a=1" but sending "?a=1" would be refused with a 401 that is hard to diagnose.
            throw new IllegalArgumentException("query must be empty or start with '?'");
        }
        String id = requestId.toLowerCase(Locale.ROOT);
        String timestamp = formatTimestamp(now);
        String head = String.join("\n", method, id, timestamp, path.toLowerCase(Locale.ROOT), q);

        Mac m = mac.get();
        m.update(head.getBytes(StandardCharsets.UTF_8));
        m.update(NEWLINE);
        if (body != null) {
            // The raw bytes, not a decoded String: what is signed must be byte-for-byte what is sent.
            m.update(body);
        }
        String signature = Base64.getEncoder().encodeToString(m.doFinal());
        return new SignedHeaders(timestamp, id, signature);
    }

    private static Mac newMac(SecretKeySpec key) {
        try {
            Mac m = Mac.getInstance(ALGORITHM);
            m.init(key);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available", e);
        }
    }
}
