package io.issuetrakbridge.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.issuetrak.CallContext;
import io.issuetrakbridge.issuetrak.dto.CreateNote;
import io.issuetrakbridge.ledger.CommandLedger;
import io.issuetrakbridge.ledger.LedgerEntry;
import io.issuetrakbridge.ledger.PartitionOwnership;
import io.issuetrakbridge.messaging.NoteCommand;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.testing.InjectSandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;

/**
 * The end of a delivery against the real broker and sandbox: CREATED and the announcement (the reply)
 * leave together, and the delivery, which releases the offset, ends only once both are on the broker.
 */
@QuarkusTest
class NoteDeliveryTest {

    private static final int PARTITION = 0;

    @Inject
    NoteDelivery delivery;

    @Inject
    CommandLedger ledger;

    @Inject
    PartitionOwnership ownership;

    @InjectSandbox
    SandboxServer sandbox;

    @BeforeEach
    void partitionOwned() {
        // Delivery writes only to partitions this instance owns: wait for the commands consumer's assignment.
        await("partition assigned").atMost(Duration.ofSeconds(60)).until(() -> ownership.owns(PARTITION));
    }

    private static NoteCommand command(String id, long issue) {
        return new NoteCommand(id, new CreateNote(issue, "2026-11-23T10:15:30.0000000", "bridge", true, id, false,
                false));
    }

    @Test
    void theDeliveryEndsOnlyOnceTheAnnouncementIsOnTheBroker() {
        String id = "announce-" + UUID.randomUUID();
        CompletableFuture<Void> announced = new CompletableFuture<>();
        AtomicLong announcedNote = new AtomicLong();
        UniAssertSubscriber<DeliveryResult> result = delivery
                .deliver(command(id, 910_001), PARTITION, false, CallContext.of(id, 910_001L), noteId -> {
                    announcedNote.set(noteId);
                    return Uni.createFrom().completionStage(announced);
                })
                .subscribe().withSubscriber(UniAssertSubscriber.create());

        await("CREATED in the ledger").atMost(Duration.ofSeconds(30))
                .until(() -> ledger.lookup(PARTITION, id).filter(LedgerEntry::isCreated).isPresent());
        long noteId = ledger.lookup(PARTITION, id).orElseThrow().noteId();
        assertThat(announcedNote.get()).as("the announced NoteID").isEqualTo(noteId);
        assertThat(sandbox.notes().all()).filteredOn(n -> n.noteText().equals(id)).hasSize(1);
        result.assertNotTerminated();

        announced.complete(null);
        assertThat(result.awaitItem(Duration.ofSeconds(30)).getItem().noteId()).isEqualTo(noteId);
    }

    @Test
    void aFailedAnnouncementFailsTheDeliveryButTheNoteIsStillRecorded() {
        String id = "unannounced-" + UUID.randomUUID();
        UniAssertSubscriber<DeliveryResult> result = delivery
                .deliver(command(id, 910_002), PARTITION, false, CallContext.of(id, 910_002L),
                        noteId -> Uni.createFrom().failure(new IllegalStateException("reply refused")))
                .subscribe().withSubscriber(UniAssertSubscriber.create());

        result.awaitFailure(Duration.ofSeconds(30));
        assertThat(result.getFailure()).hasStackTraceContaining("reply refused");
        // Recorded, so a redelivery replies with this note instead of creating a second one.
        Optional<LedgerEntry> entry = ledger.lookup(PARTITION, id);
        assertThat(entry).get().matches(LedgerEntry::isCreated, "CREATED");
        assertThat(sandbox.notes().all()).filteredOn(n -> n.noteText().equals(id)).hasSize(1);
    }
}
