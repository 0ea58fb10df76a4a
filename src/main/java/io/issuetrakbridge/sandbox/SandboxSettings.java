package io.issuetrakbridge.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import io.issuetrakbridge.config.ApiKey;

/**
 * How a {@link SandboxServer} listens and what it accepts.
 *
 * @param host interface to bind, e.g. {@code 127.0.0.1}
 * @param port TCP port; 0 picks a free one (tests), read it back from {@link SandboxServer#port()}
 * @param pathPrefix deployment prefix the API lives under ({@code ""} or e.g. {@code /issuetrak}), like an
 *        Issuetrak installed in an IIS sub-application
 * @param apiKey the key requests must be signed with (changeable at run time through the admin endpoint)
 * @param activeUsers user names accepted as CreatedBy (Issuetrak requires an existing, active user)
 * @param minIssue lowest existing issue number
 * @param maxIssue highest existing issue number
 * @param maxClockSkew how far a request's timestamp may be from the sandbox's clock; also how long request IDs
 *        are remembered for replay detection
 * @param tlsCertPem PEM certificate chain; with {@code tlsKeyPem}, the sandbox serves HTTPS
 * @param tlsKeyPem PEM private key for {@code tlsCertPem}
 * @param timeZone the time zone of the (simulated) Windows server: a CreatedDate sent with an offset is stored as
 *        this zone's local time, and a create without CreatedDate is stamped with this zone's current time
 */
public record SandboxSettings(String host, int port, String pathPrefix, ApiKey apiKey, Set<String> activeUsers,
        long minIssue, long maxIssue, Duration maxClockSkew, Optional<Path> tlsCertPem, Optional<Path> tlsKeyPem,
        ZoneId timeZone) {

    /** Issuetrak's own limit: requests more than five minutes off are refused. */
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    /**
     * The server's zone unless configured: Newfoundland, UTC-03:30 in winter and UTC-02:30 in summer. Far enough
     * from UTC, with a half-hour offset and daylight saving, that a client assuming the server runs on UTC (or on
     * whole-hour offsets, or on a fixed offset) is caught by every test rather than in production; the real
     * server's zone is whatever its Windows host is set to, which the bridge cannot know.
     */
    public static final ZoneId DEFAULT_TIME_ZONE = ZoneId.of("America/St_Johns");

    public SandboxSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(maxClockSkew, "maxClockSkew");
        Objects.requireNonNull(timeZone, "timeZone");
        pathPrefix = normalizePrefix(pathPrefix);
        activeUsers = Set.copyOf(activeUsers);
        tlsCertPem = tlsCertPem == null ? Optional.empty() : tlsCertPem;
        tlsKeyPem = tlsKeyPem == null ? Optional.empty() : tlsKeyPem;
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("sandbox port must be 0..65535, was " + port);
        }
        if (minIssue < 1 || maxIssue < minIssue) {
            throw new IllegalArgumentException("sandbox issue range must satisfy 1 <= min <= max, was " + minIssue + ".."
                    + maxIssue);
        }
        Set<String> lower = new HashSet<>();
        for (String user : activeUsers) {
            if (!lower.add(user.toLowerCase(Locale.ROOT))) {
                // Issuetrak's user names are unique ignoring case: which casing would be "the user's own"?
                throw new IllegalArgumentException(
                        "sandbox active users must differ in more than case: " + activeUsers);
            }
        }
        if (maxClockSkew.isNegative() || maxClockSkew.isZero()) {
            throw new IllegalArgumentException("sandbox max clock skew must be positive");
        }
        if (tlsCertPem.isPresent() != tlsKeyPem.isPresent()) {
            throw new IllegalArgumentException("sandbox TLS needs both a certificate and a key PEM file");
        }
    }

    /** As the canonical constructor, in the {@link #DEFAULT_TIME_ZONE}. */
    public SandboxSettings(String host, int port, String pathPrefix, ApiKey apiKey, Set<String> activeUsers,
            long minIssue, long maxIssue, Duration maxClockSkew, Optional<Path> tlsCertPem, Optional<Path> tlsKeyPem) {
        this(host, port, pathPrefix, apiKey, activeUsers, minIssue, maxIssue, maxClockSkew, tlsCertPem, tlsKeyPem,
                DEFAULT_TIME_ZONE);
    }

    /**
     * 127.0.0.1 on a random port, no prefix, users Admin, APIUser and bridge, issues 1..1,000,000, 5 minutes skew,
     * the {@link #DEFAULT_TIME_ZONE}.
     */
    public static SandboxSettings defaults(ApiKey key) {
        return new SandboxSettings("127.0.0.1", 0, "", key, Set.of("Admin", "APIUser", "bridge"), 1, 1_000_000,
                DEFAULT_MAX_CLOCK_SKEW, Optional.empty(), Optional.empty(), DEFAULT_TIME_ZONE);
    }

    public SandboxSettings withPort(int newPort) {
        return new SandboxSettings(host, newPort, pathPrefix, apiKey, activeUsers, minIssue, maxIssue, maxClockSkew,
                tlsCertPem, tlsKeyPem, timeZone);
    }

    public SandboxSettings withPathPrefix(String prefix) {
        return new SandboxSettings(host, port, prefix, apiKey, activeUsers, minIssue, maxIssue, maxClockSkew,
                tlsCertPem, tlsKeyPem, timeZone);
    }

    public SandboxSettings withMaxClockSkew(Duration skew) {
        return new SandboxSettings(host, port, pathPrefix, apiKey, activeUsers, minIssue, maxIssue, skew, tlsCertPem,
                tlsKeyPem, timeZone);
    }

    public SandboxSettings withTls(Path certPem, Path keyPem) {
        return new SandboxSettings(host, port, pathPrefix, apiKey, activeUsers, minIssue, maxIssue, maxClockSkew,
                Optional.of(certPem), Optional.of(keyPem), timeZone);
    }

    public SandboxSettings withTimeZone(ZoneId zone) {
        return new SandboxSettings(host, port, pathPrefix, apiKey, activeUsers, minIssue, maxIssue, maxClockSkew,
                tlsCertPem, tlsKeyPem, zone);
    }

    /** Whether the sandbox serves HTTPS. */
    public boolean tls() {
        return tlsCertPem.isPresent();
    }

    /** Whether an issue with this number exists in the sandbox. */
    public boolean issueExists(long issueNumber) {
        return issueNumber >= minIssue && issueNumber <= maxIssue;
    }

    // "/issuetrak/", "issuetrak" and "/issuetrak" all mean the same deployment; "/" means none.
    private static String normalizePrefix(String prefix) {
        if (prefix == null) {
            return "";
        }
        String p = prefix.trim();
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (!p.isEmpty() && !p.startsWith("/")) {
            p = "/" + p;
        }
        return p;
    }
}
