package io.issuetrakbridge.messaging;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.header.internals.RecordHeader;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.issuetrak.CallContext;
import io.issuetrakbridge.issuetrak.FailureCategory;
import io.issuetrakbridge.issuetrak.IssuetrakException;
import io.issuetrakbridge.ledger.CommandLedger;
import io.issuetrakbridge.ledger.LedgerEntry;
import io.issuetrakbridge.ledger.PartitionOwnership;
import io.issuetrakbridge.metrics.BridgeMetrics;
import io.issuetrakbridge.resilience.DeliveryResult;
import io.issuetrakbridge.resilience.InFlight;
import io.issuetrakbridge.resilience.NoteDelivery;
import io.issuetrakbridge.routing.CommandRouter;
import io.issuetrakbridge.routing.RoutingMarks;
import io.issuetrakbridge.scheduling.CommandScheduler;
import io.issuetrakbridge.tracing.CommandTracing;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;

/**
 * One command from record to committed outcome: parse, deliver (in issue order), publish the reply
 * or the error, dead-letter what cannot succeed, and only then release the offset.
 */
@ApplicationScoped
public class CommandProcessor {

    private static final Logger LOG = Logger.getLogger(CommandProcessor.class);

    /** Dead-letter headers added next to SmallRye's own dead-letter-* headers. */
    public static final String DLQ_CATEGORY_HEADER = "dead-letter-category";
    public static final String DLQ_ATTEMPTS_HEADER = "dead-letter-attempts";
    /**
     * The command record's own timestamp (epoch millis). SmallRye's dead letter gets a new one, and a
     * command without CreatedDate takes its CreatedDate from the record timestamp: a replay restores it
     * so that reconciliation compares identical content.
     */
    public static final String DLQ_TIMESTAMP_HEADER = "dead-letter-timestamp";

    private final CommandParser parser;
    private final NoteDelivery delivery;
    private final CommandLedger ledger;
    private final OutcomePublisher publisher;
    private final BridgeMetrics metrics;
    private final CommandTracing tracing;
    private final CommandRouter router;
    private final CommandScheduler scheduler;
    private final RoutingMarks marks;
    private final Completing completing = new Completing();

    public CommandProcessor(ObjectMapper mapper, BridgeConfig config, NoteDelivery delivery, CommandLedger ledger,
            OutcomePublisher publisher, BridgeMetrics metrics, CommandTracing tracing, CommandRouter router,
            CommandScheduler scheduler, RoutingMarks marks) {
        this.marks = marks;
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.router = router;
        this.tracing = tracing;
        this.parser = new CommandParser(mapper, config.maxNoteBytes());
        this.delivery = delivery;
        this.ledger = ledger;
        this.publisher = publisher;
    }

    /**
     * Never fails: every path ends in an ack or a dead letter. Ledger entries and outcomes Kafka has not
     * taken with a retriable error (an outage) are sent again for as long as the partition is ours
     * ({@link RecordSender#send(org.apache.kafka.clients.producer.ProducerRecord, CallContext,
     * java.util.function.BooleanSupplier)}), and the command's issue waits. When Kafka refuses a record
     * for good (authorization, a topic that does not exist and is not created), the error is logged and
     * the record stays unacknowledged: offsets are not committed past it, and it is redelivered (and
     * deduplicated by the ledger) after a restart or rebalance.
     */
    public Uni<Void> process(Message<byte[]> message) {
        metrics.received();
        CommandRecord record = CommandRecord.of(message, tracing);
        // Completes when the command is done, or earlier when it waits for its issue's order in the router's waiting
        // room: its fetched-record slot is then free for the next record (the emitter takes the first completion).
        return Uni.createFrom().emitter(slot -> Uni.createFrom()
                .deferred(() -> handle(record, () -> slot.complete(null)))
                .onTermination().invoke((ignored, failure, cancelled) -> {
                    if (failure != null) {
                        LOG.errorf(failure, "record %s: could not be processed; it stays uncommitted",
                                record.positionId());
                    }
                    CommandTracing.finished(record.trace(), failure);
                    metrics.finished();
                })
                // A failure escaping here would end the whole command stream: contain it to this record,
                // which stays uncommitted and is redelivered after a restart or rebalance.
                .onFailure().recoverWithNull().replaceWithVoid()
                .subscribe().with(done -> slot.complete(null)));
    }

    /** Outcomes being published; shutdown waits for them. */
    Completing completing() {
        return completing;
    }

    /**
     * The publishing stage of commands, which shutdown lets finish. Never refuses work: a command whose
     * POST ended just before the drain must still publish its outcome.
     */
    static final class Completing {
        private final InFlight inFlight = new InFlight();

        <T> Uni<T> run(java.util.function.Supplier<Uni<T>> work) {
            return inFlight.run(work, () -> new IllegalStateException("never closed"));
        }

        boolean awaitIdle(Duration timeout) {
            return inFlight.awaitIdle(timeout);
        }
    }

    private Uni<Void> handle(CommandRecord record, Runnable freeSlot) {
        Message<byte[]> message = record.message();
        NoteCommand command;
        try {
            command = parser.parse(message.getPayload(), record.header("ce_id"), record.header(
                    OutcomePublisher.COMMAND_ID_HEADER), record.positionId(), record.timestamp());
            try {
                CommandParser.checkReplyTopic(record.header(KafkaRequestReply.DEFAULT_REPLY_TOPIC_HEADER));
            } catch (InvalidCommandException invalid) {
                throw invalid.about(command.commandId(), command.issueNumber());
            }
        } catch (InvalidCommandException invalid) {
            String commandId = invalid.commandId() != null ? invalid.commandId() : fallbackId(record);
            new CallContext(commandId, invalid.issueNumber(), record.trace())
                    .warn(LOG, "invalid (record %s): %s", record.positionId(), invalid.getMessage());
            NoteFailedReply reply = new NoteFailedReply(commandId, invalid.issueNumber(),
                    FailureCategory.VALIDATION.name(), null, invalid.getMessage(), false, 0);
            marks.read(record, false);
            return completing.run(() -> publisher.failed(record, reply)
                    .chain(() -> deadLetter(record, commandId, invalid, FailureCategory.VALIDATION, 0)))
                    .invoke(() -> metrics.failed(FailureCategory.VALIDATION, record.timestamp()));
        }
        boolean high = CommandScheduler.high(record.header(CommandScheduler.PRIORITY_HEADER));
        // Its requests wait at the concurrency limit and the budget in its lane (scheduling/Priority).
        CallContext context = new CallContext(command.commandId(), command.issueNumber(), record.trace(),
                scheduler.priority(command.issueNumber(), high));
        // Processed on the issue's home partition, whatever partition it came on (routing/CommandRouter).
        // Waits parked for a window slot, fairly between issues, then in its issue's order (scheduling/).
        Supplier<Uni<Void>> inSequence = () -> scheduler.submit(command.issueNumber(), record.partition(), high,
                () -> deliver(record, command, context));
        CommandRouter.Route route = router.route(record, command);
        // The slot is freed only once this record counts as read: the next record must not be read before it.
        CompletableFuture<Void> placed = new CompletableFuture<>();
        Uni<Void> routed = switch (route) {
            case HERE -> inSequence.get();
            case IN_TIMESTAMP_ORDER -> router.inTimestampOrder(record, command, context, inSequence,
                    () -> placed.thenRun(freeSlot));
            case FORWARD -> completing.run(() -> router.forward(record, command, context));
        };
        if (route != CommandRouter.Route.FORWARD) {
            // Placed in its issue's sequence or line by now: routing marks may count it as read (a forward counts
            // itself, and is routed once its copy is on the broker).
            marks.read(record, false);
        }
        placed.complete(null);
        return routed
                .onFailure(PartitionOwnership.Revoked.class).invoke(revoked -> context.debug(LOG,
                        "%s; its next owner processes it", revoked.getMessage()))
                .onFailure(f -> !(f instanceof PartitionOwnership.Revoked)).invoke(failure -> context.error(LOG,
                        failure, "could not complete; it stays uncommitted and is redelivered after a restart "
                                + "or rebalance"))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private Uni<Void> deliver(CommandRecord record, NoteCommand command, CallContext context) {
        Optional<LedgerEntry> known = ledger.lookup(record.partition(), command.commandId());
        if (known.isPresent() && known.get().isCreated()) {
            // Redelivered, replayed or sent twice: the note exists. Answer again, create nothing.
            context.info(LOG, "already created note %d, replying again", known.get().noteId());
            return reply(record, command, known.get().noteId())
                    .chain(() -> acknowledge(record, "duplicate"));
        }
        return delivery.deliver(command, record.partition(), known.isPresent(), context,
                noteId -> reply(record, command, noteId))
                .chain(result -> {
                    if (!result.created()) {
                        return fail(record, command, context, result);
                    }
                    context.debug(LOG, "note %d created", result.noteId());
                    return acknowledge(record, result.reconciled() ? "reconciled" : "created");
                });
    }

    /** Publishes the NoteID to the requester; shutdown lets it finish. */
    private Uni<Void> reply(CommandRecord record, NoteCommand command, long noteId) {
        return completing.run(() -> publisher.noteCreated(record, command.commandId(), command.issueNumber(), noteId));
    }

    /** The note exists and its reply is on the broker: the offset may be committed. */
    private Uni<Void> acknowledge(CommandRecord record, String how) {
        return completing.run(() -> Uni.createFrom().completionStage(record.message().ack()))
                .invoke(() -> metrics.noteCreated(how, record.timestamp()));
    }

    private Uni<Void> fail(CommandRecord record, NoteCommand command, CallContext context, DeliveryResult result) {
        IssuetrakException failure = result.failure();
        boolean retryable = failure.category().retryable();
        context.warn(LOG, "%s after %d attempt(s): %s", failure.category(), result.attempts(), failure.getMessage());
        NoteFailedReply reply = new NoteFailedReply(command.commandId(), command.issueNumber(),
                failure.category().name(), failure.status().isPresent() ? failure.status().getAsInt() : null,
                failure.getMessage(), retryable, result.attempts());
        return completing.run(() -> publisher.failed(record, reply)
                .chain(() -> deadLetter(record, command.commandId(), failure, failure.category(), result.attempts())))
                .invoke(() -> metrics.failed(failure.category(), record.timestamp()));
    }

    /**
     * Dead-letters through the connector's own DLQ handler: it copies the record (key, value,
     * headers), adds SmallRye's dead-letter-* headers, waits for the broker, then acknowledges.
     * We add the category, the attempts, the record's timestamp and the resolved command ID, so a
     * replayed record keeps its ID and its CreatedDate. The connector copies the command's own headers
     * too, a replay's {@code replay-count} among them, which is what stops a replay loop.
     */
    private Uni<Void> deadLetter(CommandRecord record, String commandId, Throwable reason, FailureCategory category,
            int attempts) {
        List<RecordHeader> extra = List.of(
                new RecordHeader(DLQ_CATEGORY_HEADER, category.name().getBytes(StandardCharsets.UTF_8)),
                new RecordHeader(DLQ_ATTEMPTS_HEADER, Integer.toString(attempts).getBytes(StandardCharsets.UTF_8)),
                new RecordHeader(DLQ_TIMESTAMP_HEADER,
                        Long.toString(record.timestamp().toEpochMilli()).getBytes(StandardCharsets.UTF_8)),
                new RecordHeader(OutcomePublisher.COMMAND_ID_HEADER, commandId.getBytes(StandardCharsets.UTF_8)));
        OutgoingKafkaRecordMetadata<Object> metadata = OutgoingKafkaRecordMetadata.builder()
                .withHeaders(record.headers().lastHeader(OutcomePublisher.COMMAND_ID_HEADER) == null ? extra
                        : extra.subList(0, 3))
                .build();
        return Uni.createFrom().completionStage(record.message().nack(reason, Metadata.of(metadata)));
    }

    private static String fallbackId(CommandRecord record) {
        String ceId = record.header("ce_id");
        if (ceId != null && !ceId.isBlank()) {
            return ceId;
        }
        String header = record.header(OutcomePublisher.COMMAND_ID_HEADER);
        return header != null && !header.isBlank() ? header : record.positionId();
    }
}
