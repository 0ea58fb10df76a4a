package io.issuetrakbridge.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

/** Who goes next at a gate: the oldest high-priority waiter, else the oldest. */
class GateQueueTest {

    @Test
    void highPriorityFirstThenArrivalOrderWithinEachLane() {
        GateQueue<String> queue = new GateQueue<>();
        queue.add("n1", Priority.NORMAL);
        queue.add("h1", Priority.HIGH);
        queue.add("n2", Priority.NORMAL);
        queue.add("h2", Priority.HIGH);
        queue.add("n3", Priority.NORMAL);

        assertThat(drain(queue)).containsExactly("h1", "h2", "n1", "n2", "n3");
        assertThat(queue.poll()).isNull();
    }

    @Test
    void aPriorityThatRisesWhileWaitingCountsAtTheNextTurn() {
        GateQueue<String> queue = new GateQueue<>();
        AtomicBoolean inherited = new AtomicBoolean();
        queue.add("n1", Priority.NORMAL);
        queue.add("h1", Priority.HIGH);
        queue.add("promoted", inherited::get);

        assertThat(queue.poll()).isEqualTo("h1");
        inherited.set(true);
        assertThat(drain(queue)).containsExactly("promoted", "n1");
    }

    @Test
    void aWaiterThatGaveUpIsRemovedByIdentity() {
        GateQueue<String> queue = new GateQueue<>();
        String first = new String("same");
        String second = new String("same");
        queue.add(first, Priority.NORMAL);
        queue.add(second, Priority.NORMAL);

        assertThat(queue.remove(second)).isTrue();
        assertThat(queue.remove(second)).isFalse();
        assertThat(queue.size()).isEqualTo(1);
        assertThat(queue.poll()).isSameAs(first);
        assertThat(queue.isEmpty()).isTrue();
    }

    private static List<String> drain(GateQueue<String> queue) {
        List<String> order = new ArrayList<>();
        for (String next = queue.poll(); next != null; next = queue.poll()) {
            order.add(next);
        }
        return order;
    }
}
