package io.issuetrakbridge.issuetrak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.config.IssuetrakConfig;
import io.issuetrakbridge.config.TestConfigs;
import io.issuetrakbridge.issuetrak.IssuetrakException.Unavailable;
import io.issuetrakbridge.issuetrak.dto.CreateNote;
import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.core.Vertx;

/**
 * HTTPS to Issuetrak with a custom trust store from Quarkus' TLS registry, through the CDI-built client:
 * the wiring production uses ({@code quarkus.tls.<name>.trust-store.*} + {@code issuetrak.tls-configuration-name}).
 */
@QuarkusTest
@TestProfile(IssuetrakClientTlsTest.HttpsProfile.class)
class IssuetrakClientTlsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Trusts the sandbox's self-signed certificate under a named TLS configuration. */
    public static class HttpsProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.http.test-port", "0",
                    "quarkus.tls.issuetrak-sandbox.trust-store.pem.certs", "sandbox-tls/sandbox-cert.pem",
                    "issuetrak.tls-configuration-name", "issuetrak-sandbox");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(HttpsSandboxResource.class));
        }
    }

    @Inject
    IssuetrakClient client;

    @Inject
    IssuetrakConfig config;

    @Inject
    Vertx vertx;

    @Test
    void createsAndReadsOverHttpsWithTheConfiguredTrustStore() {
        CreateNote note = new CreateNote(9, "2024-03-05T07:08:09.1234567Z", "APIUser", true, "over TLS ✓", false, false);

        long noteId = client.createNote(note).await().atMost(WAIT);
        ReadNote read = client.getNote(noteId).await().atMost(WAIT);
        client.probe().await().atMost(WAIT);

        assertThat(config.baseUrl().getScheme()).isEqualTo("https");
        assertThat(read.noteText()).isEqualTo("over TLS ✓");
    }

    @Test
    void withoutTheTrustStoreTheHandshakeFailsAsUnavailable() {
        IssuetrakClient untrusting = new IssuetrakClient(vertx,
                TestConfigs.issuetrak(Map.of("base-url", config.baseUrl().toString())), new ObjectMapper(),
                new NoTlsConfigurations());
        try {
            Unavailable refused = catchThrowableOfType(Unavailable.class, () -> untrusting.probe().await().atMost(WAIT));

            assertThat(refused).hasMessageStartingWith("TLS handshake with Issuetrak failed");
        } finally {
            untrusting.close();
        }
    }
}
