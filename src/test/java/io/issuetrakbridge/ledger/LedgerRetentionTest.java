package io.issuetrakbridge.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.issuetrakbridge.issuetrak.CallContext;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code bridge.ledger.retention} reaches the running ledger: with two seconds of it, a command's entry
 * leaves memory while the service runs, as newer commands are recorded, with no restore in between.
 */
@QuarkusTest
@TestProfile(LedgerRetentionTest.ShortRetention.class)
class LedgerRetentionTest {

    public static class ShortRetention implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.ledger.retention", "2s");
        }
    }

    private static final int PARTITION = 0;
    private static final Duration KAFKA = Duration.ofSeconds(30);

    @Inject
    CommandLedger ledger;

    @Inject
    PartitionOwnership ownership;

    @Test
    void aRunningInstanceForgetsCommandsOlderThanTheRetention() {
        await("partition assigned").atMost(Duration.ofSeconds(60)).until(() -> ownership.owns(PARTITION));
        String old = "old-" + UUID.randomUUID();
        ledger.pending(PARTITION, CallContext.of(old, 1L)).await().atMost(KAFKA);
        assertThat(ledger.lookup(PARTITION, old)).contains(new LedgerEntry(LedgerEntry.State.PENDING, 1, null));

        // Generations are dropped when newer entries arrive: keep recording commands until the old one is gone.
        String[] latest = new String[1];
        await("forgotten after the retention").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    latest[0] = "new-" + UUID.randomUUID();
                    ledger.pending(PARTITION, CallContext.of(latest[0], 1L)).await().atMost(KAFKA);
                    return ledger.lookup(PARTITION, old).isEmpty();
                });
        assertThat(ledger.lookup(PARTITION, latest[0])).as("the command just recorded").isPresent();
    }
}
