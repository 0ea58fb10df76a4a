package io.issuetrakbridge.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * The replay API's bearer token. A value type rather than a String so that a printed configuration,
 * a log line or an exception shows a mask instead of the secret, and so that the only comparison
 * offered is a constant-time one.
 */
public final class ReplayToken {

    /** Shortest token accepted: anything shorter is guessable by whoever can reach the management port. */
    public static final int MIN_LENGTH = 16;

    private final byte[] digest;
    private final int length;

    private ReplayToken(String text) {
        this.digest = sha256(text);
        this.length = text.length();
    }

    /** Implicit SmallRye converter. Never validates here: a refusal would quote the value. */
    public static ReplayToken of(String text) {
        Objects.requireNonNull(text, "replay token");
        return new ReplayToken(text.trim());
    }

    /** Whether the configured text is long enough to be a secret. */
    public boolean strongEnough() {
        return length >= MIN_LENGTH;
    }

    /**
     * Constant-time comparison. Both sides are hashed first, so neither the length of the presented
     * text nor the position of its first wrong character shows in the time taken.
     */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(digest, sha256(presented));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    @Override
    public String toString() {
        return "****";
    }
}
