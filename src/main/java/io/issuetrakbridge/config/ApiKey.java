package io.issuetrakbridge.config;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The Issuetrak API key. A value type rather than a String so that every accidental print of
 * the configuration, a log line or an exception message shows a mask instead of the secret.
 */
public final class ApiKey {

    private final String text;

    private ApiKey(String text) {
        this.text = text;
    }

    /** Wraps the key text exactly as configured; Issuetrak keys the HMAC with these UTF-8 bytes. */
    public static ApiKey of(String text) {
        Objects.requireNonNull(text, "api key");
        return new ApiKey(text);
    }

    /** The HMAC key: the UTF-8 bytes of the key text, not its Base64-decoded bytes. */
    public byte[] hmacKey() {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Used only where the secret must be compared (the sandbox) or checked for leaks (tests). */
    public String reveal() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApiKey other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return "****";
    }
}
