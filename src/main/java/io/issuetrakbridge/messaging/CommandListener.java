package io.issuetrakbridge.messaging;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.issuetrakbridge.scheduling.CommandScheduler;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Consumes the commands channel with up to {@code bridge.max-in-flight} plus {@code bridge.scheduling.max-parked}
 * records at once; {@link CommandScheduler} admits {@code bridge.max-in-flight} of them to Issuetrak at a time,
 * fairly between issues, and parks the rest.
 * <p>
 * {@code merge(fetchLimit)} is the backpressure: it requests one record per finished command, so
 * fetched-but-unfinished records never exceed the window plus the parking area, and when Issuetrak stalls (or one
 * issue's backlog fills the parking area) the connector stops polling ({@code pause-if-no-requests}) while millions
 * of commands wait in the topic. Offsets
 * are committed by the connector's throttled strategy: the highest offset below which every record
 * is acknowledged, and a record is acknowledged only once its outcome is on the broker.
 */
@ApplicationScoped
public class CommandListener {

    private final Multi<Message<byte[]>> commands;
    private final CommandProcessor processor;
    private final int fetchLimit;
    private volatile Cancellable subscription;

    public CommandListener(@Channel(Channels.COMMANDS) Multi<Message<byte[]>> commands, CommandProcessor processor,
            CommandScheduler scheduler) {
        this.commands = commands;
        this.processor = processor;
        this.fetchLimit = scheduler.fetchLimit();
    }

    void start(@Observes @Priority(Integer.MAX_VALUE - 10) StartupEvent event) {
        subscription = commands
                .onItem().transformToUni(processor::process)
                .merge(fetchLimit)
                .subscribe().with(
                        ignored -> {
                        },
                        failure -> Log.errorf(failure, "The command stream failed; no further commands are consumed"),
                        () -> Log.info("The command stream completed"));
    }

    /** Whether the command stream is subscribed (health). */
    public boolean subscribed() {
        return subscription != null;
    }
}
