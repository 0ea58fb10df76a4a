package io.issuetrakbridge.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.issuetrakbridge.config.ApiKey;

/**
 * Issuetrak's HMAC authorization as the sandbox checks it. Deliberately written apart from the client's
 * signer: a test that passes only because both sides share the same mistake proves nothing.
 *
 * <pre>
 * string-to-sign = METHOD \n lower(request-id) \n timestamp \n lower(raw path) \n raw query incl. '?' \n body bytes
 * signature      = Base64(HMAC-SHA512(key = UTF-8 of the API key text, string-to-sign))
 * </pre>
 */
final class RequestAuthenticator {

    static final String TIMESTAMP_HEADER = "X-Issuetrak-API-Timestamp";
    static final String REQUEST_ID_HEADER = "X-Issuetrak-API-Request-ID";
    static final String AUTHORIZATION_HEADER = "X-Issuetrak-API-Authorization";

    private static final String HMAC = "HmacSHA512";
    private static final byte NEWLINE = '\n';

    /** The signing headers of one request, as received (header lookup is the caller's, case-insensitively). */
    record Credentials(String timestamp, String requestId, String signature) {
    }

    // A Mac is not thread-safe; one per thread, rebuilt when the key changes.
    private record KeyedMac(ApiKey key, Mac mac) {
    }

    private final AtomicReference<ApiKey> apiKey;
    private final Duration maxClockSkew;
    private final Clock clock;
    private final ReplayGuard replays = new ReplayGuard();
    private final ThreadLocal<KeyedMac> macs = new ThreadLocal<>();

    RequestAuthenticator(ApiKey apiKey, Duration maxClockSkew, Clock clock) {
        this.apiKey = new AtomicReference<>(apiKey);
        this.maxClockSkew = maxClockSkew;
        this.clock = clock;
    }

    void apiKey(ApiKey key) {
        apiKey.set(key);
    }

    /**
     * Checks one request.
     *
     * @param rawQuery the query as received without its '?', or null when the URL had no '?'
     * @return empty when accepted, else why not (never containing the key or the expected signature)
     */
    Optional<String> verify(String method, String rawPath, String rawQuery, Credentials credentials, byte[] body) {
        if (isBlank(credentials.timestamp())) {
            return missing(TIMESTAMP_HEADER);
        }
        if (isBlank(credentials.requestId())) {
            return missing(REQUEST_ID_HEADER);
        }
        if (isBlank(credentials.signature())) {
            return missing(AUTHORIZATION_HEADER);
        }
        long sentAt;
        try {
            sentAt = OffsetDateTime.parse(credentials.timestamp().trim(), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return Optional.of(TIMESTAMP_HEADER + " is not a UTC timestamp like 2014-09-10T17:28:08.3227351Z");
        }
        long now = clock.millis();
        long skewMs = maxClockSkew.toMillis();
        if (Math.abs(now - sentAt) > skewMs) {
            return Optional.of(TIMESTAMP_HEADER + " is more than " + maxClockSkew.toSeconds()
                    + "s away from the server's clock (" + clock.instant() + ")");
        }
        String requestId = credentials.requestId().trim().toLowerCase(Locale.ROOT);
        byte[] expected = sign(method, requestId, credentials.timestamp().trim(), rawPath, rawQuery, body);
        byte[] given = credentials.signature().trim().getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) {
            return Optional.of("the request signature does not match (check the API key, and that path, query, "
                    + "body, method, timestamp and request ID are signed exactly as sent)");
        }
        // Only a correctly signed request may use up its ID, or anyone could block IDs in advance.
        if (!replays.firstUse(requestId, sentAt + skewMs, now)) {
            return Optional.of(REQUEST_ID_HEADER + " was already used");
        }
        return Optional.empty();
    }

    int rememberedRequestIds() {
        return replays.size();
    }

    private byte[] sign(String method, String lowerRequestId, String timestamp, String rawPath, String rawQuery,
            byte[] body) {
        String head = method + '\n' + lowerRequestId + '\n' + timestamp + '\n' + rawPath.toLowerCase(Locale.ROOT) + '\n'
                + (rawQuery == null ? "" : "?" + rawQuery) + '\n';
        Mac mac = mac();
        mac.update(head.getBytes(StandardCharsets.UTF_8));
        // The body's exact bytes, not a decoded-and-re-encoded string: what was sent is what was signed.
        mac.update(body);
        return Base64.getEncoder().encode(mac.doFinal());
    }

    private Mac mac() {
        ApiKey key = apiKey.get();
        KeyedMac cached = macs.get();
        if (cached == null || cached.key() != key) {
            try {
                Mac mac = Mac.getInstance(HMAC);
                mac.init(new SecretKeySpec(key.hmacKey(), HMAC));
                cached = new KeyedMac(key, mac);
                macs.set(cached);
            } catch (NoSuchAlgorithmException | InvalidKeyException e) {
                throw new IllegalStateException("HmacSHA512 unavailable", e);
            }
        }
        return cached.mac();
    }

    private static Optional<String> missing(String header) {
        return Optional.of("missing header " + header);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
