package io.issuetrakbridge.resilience;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongFunction;

import jakarta.enterprise.context.ApplicationScoped;

import io.issuetrakbridge.budget.RequestBudget;
import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.config.IssuetrakConfig;
import io.issuetrakbridge.issuetrak.CallContext;
import io.issuetrakbridge.issuetrak.FailureCategory;
import io.issuetrakbridge.issuetrak.IssuetrakClient;
import io.issuetrakbridge.issuetrak.IssuetrakException;
import io.issuetrakbridge.issuetrak.NoteReconciler;
import io.issuetrakbridge.ledger.CommandLedger;
import io.issuetrakbridge.ledger.PartitionOwnership;
import io.issuetrakbridge.messaging.NoteCommand;
import io.issuetrakbridge.metrics.BridgeMetrics;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * Gets one command's note into Issuetrak exactly once: attempts, backoff, pauses and
 * reconciliation, with every retry decision taken by {@link FailurePolicy} and every step that
 * could create a note bracketed by the ledger (PENDING before the POST, CREATED after it).
 * The result says how it ended; the Uni fails only with {@link PartitionOwnership.Revoked} (the
 * partition moved: abandon, uncommitted) or when the ledger entry or the announcement cannot be written.
 */
@ApplicationScoped
public class NoteDelivery {

    private static final Logger LOG = Logger.getLogger(NoteDelivery.class);

    private final IssuetrakClient client;
    private final NoteReconciler reconciler;
    private final IssuetrakGate gate;
    private final CommandLedger ledger;
    private final PartitionOwnership ownership;
    private final FailurePolicy policy;
    private final BridgeMetrics metrics;
    private final RequestBudget budget;

    public NoteDelivery(IssuetrakClient client, NoteReconciler reconciler, IssuetrakGate gate, CommandLedger ledger,
            PartitionOwnership ownership, BridgeConfig config, IssuetrakConfig issuetrak, BridgeMetrics metrics,
            RequestBudget budget) {
        this.metrics = metrics;
        this.budget = budget;
        this.client = client;
        this.reconciler = reconciler;
        this.gate = gate;
        this.ledger = ledger;
        this.ownership = ownership;
        this.policy = new FailurePolicy(config.retry(), issuetrak.requestTimeout(),
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /**
     * @param partition the commands partition the command was read from (its ledger partition)
     * @param pending whether the ledger already holds PENDING for it: an earlier delivery, here or on
     *        another instance, may have created the note, so look before sending
     * @param context the command's trace and log context
     * @param announce publishes that the note exists (the reply). Sent alongside CREATED, not after it,
     *        so the two share one wait for the broker: the offset is released only once both are
     *        durable, and a crash between them leaves PENDING, which the next owner reconciles to the
     *        same note (the requester may then see the same NoteID twice, as after any redelivery).
     */
    public Uni<DeliveryResult> deliver(NoteCommand command, int partition, boolean pending, CallContext context,
            LongFunction<Uni<Void>> announce) {
        // Its waits for the request budget are Issuetrak's pace, not its failures: kept out of its retry budget.
        budget.track(context);
        return attempt(command, new Progress(partition, pending, context, announce))
                .eventually(() -> budget.untrack(context));
    }

    private Uni<DeliveryResult> attempt(NoteCommand command, Progress progress) {
        if (gate.currentPause().isPresent()) {
            progress.paused();
        }
        return gate.awaitOpen()
                .invoke(progress::resumed)
                .chain(() -> ownership.whileOwned(progress.partition, () -> createOnce(command, progress)))
                .invoke(gate::recordAnswer)
                .onFailure(IssuetrakException.class).recoverWithUni(failure -> onFailure(command, progress,
                        (IssuetrakException) failure));
    }

    /** One attempt: reconcile if a note may exist, else PENDING then POST; CREATED either way. */
    private Uni<DeliveryResult> createOnce(NoteCommand command, Progress progress) {
        progress.attempts++;
        Uni<Optional<Long>> existing = progress.mayExist
                ? reconciler.findExisting(command.note(), ledger.claimedNotes(progress.partition, command.issueNumber()),
                        progress.context)
                        .invoke(found -> {
                            metrics.reconciled(found.isPresent() ? "adopted" : "none");
                            // Looked and found nothing: until the next ambiguous send, POSTing is safe.
                            progress.mayExist = found.isPresent();
                        })
                : Uni.createFrom().item(Optional.empty());
        return existing.chain(found -> {
            if (found.isPresent()) {
                progress.context.info(LOG, "adopted existing note %d", found.get());
                return record(command, progress, found.get(), true);
            }
            Uni<Void> markPending = progress.pendingRecorded ? Uni.createFrom().voidItem()
                    : ledger.pending(progress.partition, progress.context)
                            .invoke(() -> progress.pendingRecorded = true);
            return markPending
                    .chain(() -> client.createNote(command.note(), progress.context))
                    .chain(noteId -> record(command, progress, noteId, false));
        });
    }

    private Uni<DeliveryResult> record(NoteCommand command, Progress progress, long noteId, boolean reconciled) {
        // Both run to their end even when one fails: an abandoned CREATED would cost a reconciliation later.
        return Uni.combine().all().unis(ledger.created(progress.partition, progress.context, noteId),
                progress.announce.apply(noteId)).collectFailures().discardItems()
                .replaceWith(new DeliveryResult(noteId, null, progress.attempts, reconciled));
    }

    private Uni<DeliveryResult> onFailure(NoteCommand command, Progress progress, IssuetrakException failure) {
        gate.recordFailure(failure);
        if (failure.category() == FailureCategory.THROTTLED) {
            progress.throttled++;
        }
        Decision decision = policy.decide(failure, Math.max(1, progress.attempts - progress.throttled),
                progress.elapsed().minus(budget.waited(progress.context)));
        switch (decision.action()) {
            case PAUSE:
                gate.pause(failure);
                return attempt(command, progress);
            case RETRY:
                metrics.retried(failure.category());
                if (decision.reconcileFirst()) {
                    // The send may have created the note: the next attempt looks before it POSTs.
                    progress.mayExist = true;
                }
                progress.context.debug(LOG, "%s (attempt %d), retrying in %d ms", failure.category(),
                        progress.attempts, decision.delay().toMillis());
                // Full jitter can draw ~0: Vert.x timers refuse delays under 1 ms, so go straight on.
                Uni<Void> pause = decision.delay().toMillis() < 1 ? Uni.createFrom().voidItem()
                        : Uni.createFrom().voidItem().onItem().delayIt().by(decision.delay());
                return pause.chain(() -> attempt(command, progress));
            case GIVE_UP:
            default:
                return Uni.createFrom().item(new DeliveryResult(null, failure, progress.attempts, false));
        }
    }

    /** Mutable per-command state; touched by one attempt at a time. */
    private static final class Progress {
        private final int partition;
        private final CallContext context;
        private final LongFunction<Uni<Void>> announce;
        private final long started = System.nanoTime();
        /** PENDING is in the ledger (by us or an earlier delivery): no need to write it again. */
        private boolean pendingRecorded;
        /**
         * A note for this command may exist: an earlier delivery left PENDING, or a send here was
         * AMBIGUOUS. The next attempt looks (GET and match) before it POSTs.
         */
        private boolean mayExist;
        private int attempts;
        /** Attempts answered 429: Issuetrak's pace, which max-attempts does not count. */
        private int throttled;
        private long pausedNanos;
        private long pausedSince = -1;

        Progress(int partition, boolean pending, CallContext context, LongFunction<Uni<Void>> announce) {
            this.partition = partition;
            this.context = context;
            this.announce = announce;
            this.pendingRecorded = pending;
            this.mayExist = pending;
        }

        void paused() {
            pausedSince = System.nanoTime();
        }

        void resumed() {
            if (pausedSince >= 0) {
                pausedNanos += System.nanoTime() - pausedSince;
                pausedSince = -1;
            }
        }

        /** Time on this command that counts against the retry budget: pauses are Issuetrak's, not ours. */
        Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - started - pausedNanos);
        }
    }
}
