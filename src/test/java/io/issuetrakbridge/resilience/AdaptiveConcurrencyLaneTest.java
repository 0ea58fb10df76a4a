package io.issuetrakbridge.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.issuetrakbridge.scheduling.Priority;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * The priority lane at the concurrency limit: who gets a freed slot. A limit of 1 that never moves: the clock stands
 * still, so no window of samples ever closes and the limit keeps its initial value.
 */
class AdaptiveConcurrencyLaneTest {

    private final AdaptiveConcurrency gate = new AdaptiveConcurrency(true, 1, 1, () -> 0L);
    private final List<String> started = new ArrayList<>();
    private final List<UniEmitter<? super Integer>> answers = new ArrayList<>();

    @Test
    void aFreedSlotGoesToTheOldestHighPriorityWaiterThenInArrivalOrder() {
        call(Priority.NORMAL, "holder");
        call(Priority.NORMAL, "A");
        call(Priority.NORMAL, "B");
        call(Priority.HIGH, "C");
        assertThat(started).containsExactly("holder");
        assertThat(gate.waiting()).isEqualTo(3);

        for (int i = 0; i < 3; i++) {
            answers.get(i).complete(201);
        }

        assertThat(started).containsExactly("holder", "C", "A", "B");
        assertThat(gate.waiting()).isZero();
    }

    @Test
    void aWaiterPromotedWhileWaitingGoesFirst() {
        AtomicBoolean inherited = new AtomicBoolean();
        call(Priority.NORMAL, "holder");
        call(Priority.NORMAL, "A");
        // Normal when it queued; a high command of its issue arrives behind it while it waits (priority inheritance).
        call(inherited::get, "B");
        inherited.set(true);

        answers.get(0).complete(201);
        answers.get(1).complete(201);

        assertThat(started).containsExactly("holder", "B", "A");
    }

    /** A request that notes when it starts and ends when the test answers it. */
    private void call(Priority priority, String name) {
        gate.call(priority, () -> {
            started.add(name);
            return Uni.createFrom().<Integer> emitter(answers::add);
        }, status -> status).subscribe().with(status -> {
        });
    }
}
