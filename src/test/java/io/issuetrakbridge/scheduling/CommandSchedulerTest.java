package io.issuetrakbridge.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.issuetrakbridge.config.TestConfigs;
import io.issuetrakbridge.ledger.OwnedPartitions;
import io.issuetrakbridge.ledger.PartitionOwnership;
import io.issuetrakbridge.metrics.BridgeMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.smallrye.mutiny.subscription.UniEmitter;

/** The scheduler's glue: the stream's bound, the sequencer behind the window, shutdown and revocation. */
class CommandSchedulerTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private CommandScheduler scheduler(PartitionOwnership ownership, int window, int perIssue, int parked) {
        return new CommandScheduler(TestConfigs.bridge(Map.of("max-in-flight", Integer.toString(window),
                "scheduling.max-per-issue", Integer.toString(perIssue), "scheduling.max-parked",
                Integer.toString(parked))), ownership, new BridgeMetrics(registry));
    }

    /** A delivery that starts (counted) and ends only when the test says so. */
    private static Uni<Void> held(List<UniEmitter<? super Void>> running) {
        return Uni.createFrom().emitter(running::add);
    }

    @Test
    void aHotIssuesBacklogFillsTheParkingAreaAndThenTheStreamStopsRequesting() {
        CommandScheduler scheduler = scheduler(OwnedPartitions.of(0), 4, 2, 10);
        List<UniEmitter<? super Void>> running = new ArrayList<>();
        AtomicInteger emitted = new AtomicInteger();
        Multi.createFrom().range(0, 10_000)
                .onItem().invoke(emitted::incrementAndGet)
                .onItem().transformToUni(i -> scheduler.submit(7, 0, false, () -> held(running)))
                .merge(scheduler.fetchLimit())
                .subscribe().with(ignored -> {
                });

        // 4 + 10 records fetched and no more; issue 7 holds 2 slots, and delivers one note at a time.
        assertEquals(14, emitted.get());
        assertEquals(1, running.size());
        assertEquals(2.0, registry.get("issuetrak.bridge.commands.working").gauge().value());
        assertEquals(12.0, waiting("issue_turn")); // 1 admitted behind the running one, 11 parked behind the head
        assertEquals(1.0, waiting("fairness_cap"));

        // One note done: one record more is fetched, and the issue's next note starts.
        running.get(0).complete(null);
        assertEquals(15, emitted.get());
        assertEquals(2, running.size());
    }

    @Test
    void otherIssuesGetTheSlotsTheHotIssueMayNotHold() {
        CommandScheduler scheduler = scheduler(OwnedPartitions.of(0), 4, 2, 100);
        List<Long> started = new ArrayList<>();
        UnicastProcessor<Long> issues = UnicastProcessor.create();
        issues.onItem().transformToUni(issue -> scheduler.submit(issue, 0, false, () -> {
            started.add(issue);
            return Uni.createFrom().nothing();
        })).merge(scheduler.fetchLimit()).subscribe().with(ignored -> {
        });
        for (int i = 0; i < 50; i++) {
            issues.onNext(1L);
        }
        issues.onNext(2L);
        issues.onNext(3L);
        issues.onNext(4L);
        // Issue 1: one running, one admitted behind it; 2 and 3 the other two slots; 4 waits for a slot.
        assertEquals(List.of(1L, 2L, 3L), started);
        assertEquals(1.0, waiting("window"));
    }

    @Test
    void aPriorityCommandTakesTheNextFreeSlot() {
        CommandScheduler scheduler = scheduler(OwnedPartitions.of(0), 1, 2, 100);
        List<UniEmitter<? super Void>> running = new ArrayList<>();
        List<String> started = new ArrayList<>();
        for (int issue = 1; issue <= 5; issue++) {
            String name = "normal-" + issue;
            scheduler.submit(issue, 0, false, () -> {
                started.add(name);
                return held(running);
            }).subscribe().with(ignored -> {
            });
        }
        scheduler.submit(99, 0, CommandScheduler.high(" HIGH "), () -> {
            started.add("high");
            return held(running);
        }).subscribe().with(ignored -> {
        });
        assertEquals(4.0, waiting("priority"));
        running.get(0).complete(null);
        assertEquals(List.of("normal-1", "high"), started);
    }

    @Test
    void aNormalCommandGoesInThePriorityLaneWhileAHighOneOfItsIssueWaitsBehindIt() {
        // One slot per issue: the high command waits parked behind issue 7's running one.
        CommandScheduler scheduler = scheduler(OwnedPartitions.of(0), 4, 1, 10);
        List<UniEmitter<? super Void>> running = new ArrayList<>();
        Priority first = scheduler.priority(7, false);
        Priority otherIssue = scheduler.priority(8, false);
        scheduler.submit(7, 0, false, () -> held(running)).subscribe().with(ignored -> {
        });
        scheduler.submit(8, 0, false, () -> held(running)).subscribe().with(ignored -> {
        });
        assertFalse(first.high());

        scheduler.submit(7, 0, true, () -> held(running)).subscribe().with(ignored -> {
        });
        assertTrue(first.high());
        assertFalse(otherIssue.high());

        // The first is done and the high one is delivered: issue 7's later normal commands are normal again.
        running.get(0).complete(null);
        assertEquals(3, running.size());
        assertFalse(first.high());
        assertFalse(scheduler.priority(7, false).high());
        assertTrue(scheduler.priority(7, true).high());
    }

    @Test
    void aHighCommandThatNeverStartsStopsPromotingItsIssue() {
        CommandScheduler scheduler = scheduler(OwnedPartitions.of(0), 4, 1, 10);
        List<UniEmitter<? super Void>> running = new ArrayList<>();
        Priority first = scheduler.priority(7, false);
        scheduler.submit(7, 0, false, () -> held(running)).subscribe().with(ignored -> {
        });
        var parked = scheduler.submit(7, 0, true, () -> held(running)).subscribe().with(ignored -> {
        });
        assertTrue(first.high());

        // Its stream was cancelled while it was parked: withdrawn, it no longer waits behind the first.
        parked.cancel();

        assertFalse(first.high());
    }

    @Test
    void onlyTheValueHighAsksForThePriorityLane() {
        assertTrue(CommandScheduler.high("high"));
        assertTrue(CommandScheduler.high("High"));
        assertFalse(CommandScheduler.high("urgent"));
        assertFalse(CommandScheduler.high(""));
        assertFalse(CommandScheduler.high(null));
    }

    @Test
    void shutdownStartsNoParkedCommandAndFailsThemAsRevoked() {
        CommandScheduler scheduler = scheduler(OwnedPartitions.of(0), 1, 1, 10);
        List<UniEmitter<? super Void>> running = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            scheduler.submit(i, 0, false, () -> held(running)).subscribe().with(ignored -> {
            }, failures::add);
        }
        scheduler.close();
        assertEquals(2, failures.size());
        failures.forEach(f -> assertInstanceOf(PartitionOwnership.Revoked.class, f));
        running.get(0).complete(null);
        assertEquals(1, running.size());
        scheduler.submit(5, 0, false, () -> held(running)).subscribe().with(ignored -> {
        }, failures::add);
        assertEquals(3, failures.size());
        assertEquals(1, running.size());
    }

    @Test
    void aCommandOfARevokedPartitionIsAbandonedWithoutASlotEvenIfThePartitionCameBack() {
        PartitionOwnership ownership = OwnedPartitions.of(0, 1);
        CommandScheduler scheduler = scheduler(ownership, 1, 1, 10);
        List<UniEmitter<? super Void>> running = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        scheduler.submit(1, 0, false, () -> held(running)).subscribe().with(ignored -> {
        }, failures::add);
        AtomicInteger startedOnRevoked = new AtomicInteger();
        scheduler.submit(2, 1, false, () -> {
            startedOnRevoked.incrementAndGet();
            return Uni.createFrom().voidItem();
        }).subscribe().with(ignored -> {
        }, failures::add);
        scheduler.submit(3, 0, false, () -> held(running)).subscribe().with(ignored -> {
        }, failures::add);
        ownership.revoke(List.of(1), Duration.ofSeconds(1));
        // Given back by the next rebalance: the consumer fetches the record again, so this copy must not start.
        OwnedPartitions.assign(ownership, 1);

        running.get(0).complete(null);
        // Partition 1 was revoked before its command's turn: its command is dropped when its turn comes, and issue 3 takes the slot.
        assertEquals(0, startedOnRevoked.get());
        assertEquals(1, failures.size());
        assertInstanceOf(PartitionOwnership.Revoked.class, failures.get(0));
        assertEquals(2, running.size());
    }

    private double waiting(String reason) {
        return registry.get("issuetrak.bridge.commands.waiting").tag("reason", reason).gauge().value();
    }
}
