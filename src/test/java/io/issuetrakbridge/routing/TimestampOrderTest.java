package io.issuetrakbridge.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.issuetrakbridge.routing.TimestampOrder.Place;

/** The ordering rule for commands of one issue that arrive from several partitions, on a clock of the test's. */
class TimestampOrderTest {

    private final AtomicLong now = new AtomicLong(10_000);
    private final TimestampOrder<Long, String> order = new TimestampOrder<>(Duration.ofMillis(500), now::get);
    private final List<String> released = new ArrayList<>();

    private void drain(long issue) {
        order.drain(issue, released::add);
    }

    @Test
    void commandsOfAnIssueLeaveInTimestampOrderWhateverTheirArrivalOrder() {
        // Produced round-robin at 9,990..9,993 ms; partition 1 (home) is read first, the forwarded ones later.
        assertThat(order.add(7L, new Place(9_991, 1, 0), "c2")).isEqualTo(491);
        assertThat(order.add(7L, new Place(9_993, 1, 1), "c4")).isEqualTo(493);
        now.set(10_030);
        assertThat(order.add(7L, new Place(9_990, 0, 5), "c1")).isEqualTo(460);
        assertThat(order.add(7L, new Place(9_992, 2, 3), "c3")).isEqualTo(462);
        drain(7L);
        assertThat(released).as("nothing is due before the window").isEmpty();

        now.set(10_490);
        drain(7L);
        assertThat(released).containsExactly("c1");
        now.set(10_493);
        drain(7L);
        assertThat(released).containsExactly("c1", "c2", "c3", "c4");
        assertThat(order.size()).isZero();
    }

    @Test
    void aCommandWaitsForAnEarlierOneThatIsNotDueYet() {
        // c1's producer clock runs ahead: it waits from its arrival (10,000), not from its timestamp.
        order.add(7L, new Place(10_000, 0, 0), "c1");
        now.set(10_100);
        order.add(7L, new Place(10_050, 1, 0), "c2");
        now.set(10_499);
        drain(7L);
        assertThat(released).isEmpty();
        now.set(10_500);
        drain(7L);
        // c2 would be due at 10,550: it leaves with c1 only when its own time has come.
        assertThat(released).containsExactly("c1");
        now.set(10_550);
        drain(7L);
        assertThat(released).containsExactly("c1", "c2");
    }

    @Test
    void aProducerClockAheadIsCappedAtTheWindowFromArrival() {
        assertThat(order.add(7L, new Place(99_000, 0, 0), "future")).isEqualTo(500);
    }

    @Test
    void equalTimestampsAreOrderedByPartitionThenOffset() {
        order.add(7L, new Place(9_000, 2, 1), "p2o1");
        order.add(7L, new Place(9_000, 0, 9), "p0o9");
        order.add(7L, new Place(9_000, 2, 0), "p2o0");
        order.add(7L, new Place(9_000, 0, 3), "p0o3");
        drain(7L);
        assertThat(released).containsExactly("p0o3", "p0o9", "p2o0", "p2o1");
    }

    @Test
    void twoCopiesOfOnePlaceBothLeaveInArrivalOrder() {
        order.add(7L, new Place(9_000, 0, 3), "first copy");
        order.add(7L, new Place(9_000, 0, 3), "second copy");
        drain(7L);
        assertThat(released).containsExactly("first copy", "second copy");
    }

    @Test
    void aCommandOlderThanTheWindowLeavesAtOnceAndALateOneIsOutOfOrder() {
        assertThat(order.add(7L, new Place(9_000, 1, 0), "c2")).isZero();
        drain(7L);
        // c1 was produced before c2 but reaches the bridge after c2 left: the window was too short for it.
        assertThat(order.add(7L, new Place(8_999, 0, 0), "c1")).isZero();
        drain(7L);
        assertThat(released).containsExactly("c2", "c1");
    }

    @Test
    void issuesDoNotWaitForEachOther() {
        order.add(7L, new Place(10_000, 0, 0), "issue 7");
        order.add(8L, new Place(9_000, 1, 0), "issue 8");
        drain(7L);
        drain(8L);
        assertThat(released).containsExactly("issue 8");
        assertThat(order.size()).isEqualTo(1);
    }

    @Test
    void aZeroWindowKeepsArrivalOrder() {
        TimestampOrder<Long, String> none = new TimestampOrder<>(Duration.ZERO, now::get);
        assertThat(none.add(7L, new Place(10_000, 1, 0), "c2")).isZero();
        none.drain(7L, released::add);
        assertThat(none.add(7L, new Place(9_999, 0, 0), "c1")).isZero();
        none.drain(7L, released::add);
        assertThat(released).containsExactly("c2", "c1");
    }

    @Test
    void withRoutingMarksTheHeadsLeaveInOrderWhileTheRuleLetsThemAndSayHow() {
        OrderRule rule = new OrderRule(500, 30_000);
        order.add(7L, new Place(9_993, 1, 1), "c4");
        order.add(7L, new Place(9_991, 1, 0), "c2");
        now.set(10_030);
        order.add(7L, new Place(9_990, 0, 5), "c1");
        List<String> how = new ArrayList<>();
        // Every partition routed up to 10,491: c1 (9,990) and c2 (9,991) may leave, c4 (9,993) not yet.
        order.drain(7L, (issue, place, arrived, at) -> rule.release(place.timestamp(), arrived, 10_491, at),
                (item, release) -> how.add(item + " " + release));
        assertThat(how).containsExactly("c1 IN_ORDER", "c2 IN_ORDER");
        // No mark moves; 30 s after c4 arrived (10,000) it leaves anyway.
        now.set(39_999);
        order.drain(7L, (issue, place, arrived, at) -> rule.release(place.timestamp(), arrived, 10_491, at),
                (item, release) -> how.add(item + " " + release));
        assertThat(how).containsExactly("c1 IN_ORDER", "c2 IN_ORDER");
        now.set(40_000);
        order.drain(7L, (issue, place, arrived, at) -> rule.release(place.timestamp(), arrived, 10_491, at),
                (item, release) -> how.add(item + " " + release));
        assertThat(how).containsExactly("c1 IN_ORDER", "c2 IN_ORDER", "c4 FORCED");
        assertThat(order.size()).isZero();
        assertThat(order.keys()).isEmpty();
    }

    @Test
    void aStallReleasesTheEarliestHeadsAcrossIssuesKeepingEachIssuesOrder() {
        order.add(7L, new Place(9_003, 0, 1), "7b");
        order.add(7L, new Place(9_001, 2, 4), "7a");
        order.add(8L, new Place(9_002, 1, 0), "8a");
        order.add(9L, new Place(9_005, 1, 1), "9a");
        order.add(8L, new Place(9_004, 1, 2), "8b");
        List<OrderRule.Release> how = new ArrayList<>();

        assertThat(order.drainEarliest(3, (item, release) -> {
            released.add(item);
            how.add(release);
        })).isEqualTo(3);

        assertThat(released).containsExactly("7a", "8a", "7b");
        assertThat(how).containsOnly(OrderRule.Release.FORCED);
        assertThat(order.size()).isEqualTo(2);
        assertThat(order.keys()).containsExactlyInAnyOrder(8L, 9L);
        assertThat(order.drainEarliest(5, (item, release) -> released.add(item))).isEqualTo(2);
        assertThat(released).containsExactly("7a", "8a", "7b", "8b", "9a");
        assertThat(order.keys()).isEmpty();
    }
}
