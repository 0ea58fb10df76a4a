package io.issuetrakbridge.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class OrderRuleTest {

    private static final OrderRule RULE = new OrderRule(500, 30_000);

    @Test
    void theHorizonOfAHomeIsTheLeastOfAllMarksOnceItHasReadWhatTheyNeed() {
        Map<Integer, List<Mark>> marks = Map.of(
                0, List.of(new Mark("commands", 0, 10_000, Map.of(1, 5L), 0)),
                1, List.of(new Mark("commands", 1, 9_000, Map.of(1, 7L), 0)),
                2, List.of(new Mark("commands", 2, 12_000, Map.of(0, 50L), 0)));
        assertThat(OrderRule.horizon(1, 3, marks::get, 7)).isEqualTo(9_000);
        // Partition 1 has not read up to what partition 1's own mark covers.
        assertThat(OrderRule.horizon(1, 3, marks::get, 6)).isEqualTo(Long.MIN_VALUE);
        // Home 0 must have read partition 2's copy at 49.
        assertThat(OrderRule.horizon(0, 3, marks::get, 49)).isEqualTo(Long.MIN_VALUE);
        assertThat(OrderRule.horizon(0, 3, marks::get, 50)).isEqualTo(9_000);
        // A partition without a mark: no horizon.
        assertThat(OrderRule.horizon(1, 4, q -> marks.getOrDefault(q, List.of()), 7)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void whatHoldsACommandBackIsNamedPerPartitionAsAHorizonNotReachedOrCopiesNotReadYet() {
        Map<Integer, List<Mark>> marks = Map.of(
                0, List.of(new Mark("commands", 0, 10_000, Map.of(1, 5L), 0)),
                1, List.of(new Mark("commands", 1, 9_000, Map.of(1, 7L), 0)),
                2, List.of(new Mark("commands", 2, 12_000, Map.of(1, 60L), 0),
                        new Mark("commands", 2, 9_800, Map.of(1, 20L), 0)));
        // A command at 9 000 on home 1 (needs 9 500), home 1 read below 40: partition 1's marks stop at 9 000,
        // partition 2's late enough mark names a copy at 59 that home 1 has not read (its earlier one is at 9 800:
        // late enough too, and needs only 20).
        assertThat(OrderRule.behind(1, 3, marks::get, 40, 9_500)).isEqualTo(Map.of(1, OrderRule.Behind.HORIZON));
        // Needing 10 000, only partition 2's latest mark is late enough, and its copy is past what home 1 read.
        assertThat(OrderRule.behind(1, 3, marks::get, 40, 10_000))
                .isEqualTo(Map.of(1, OrderRule.Behind.HORIZON, 2, OrderRule.Behind.COPIES));
        assertThat(OrderRule.behind(1, 3, marks::get, 60, 9_000)).isEmpty();
        assertThat(RULE.needed(9_000)).isEqualTo(9_500);
    }

    /**
     * Issue 13's stall on a fresh start (ForwardingCrashWithMarksIT): while commands keep coming, partition 0's latest
     * mark names a copy forwarded to home 1 after the records produced meanwhile there, which home 1 cannot read while
     * its buffer is full of waiting commands. The command of 1 000 on home 1 needs no such copy: partition 0's earlier
     * mark already covers 1 500 with a copy home 1 has read.
     */
    @Test
    void aHomeNeedsTheCopiesOfAMarkThatCoversTheCommandNotThoseForwardedSince() {
        RouteProgress zero = new RouteProgress("commands", 0, 0, Map.of());
        RouteProgress one = new RouteProgress("commands", 1, 0, Map.of());
        one.read(0, 1_000, false);
        zero.read(0, 1_100, true);
        zero.forwarded(0, 1, 1);
        one.read(1, 1_100, false);
        one.read(2, 1_600, false);
        zero.read(1, 1_600, false);
        Mark earlier = zero.mark(0);
        assertThat(earlier.horizon()).isEqualTo(1_600);
        assertThat(earlier.needs(1)).isEqualTo(2);
        // Records 3 and 4 of partition 1 are produced, then partition 0 forwards its record of 2 100 to offset 5.
        zero.read(2, 2_100, true);
        zero.forwarded(2, 1, 5);
        Mark latest = zero.mark(0);
        assertThat(latest.needs(1)).isEqualTo(6);
        List<Mark> ones = List.of(one.mark(0));

        assertThat(OrderRule.horizon(1, 2, q -> q == 0 ? List.of(earlier, latest) : ones, 3)).isEqualTo(1_600);
        assertThat(RULE.release(1_000, 0, OrderRule.horizon(1, 2, q -> q == 0 ? List.of(earlier, latest) : ones, 3),
                100)).isEqualTo(OrderRule.Release.IN_ORDER);
        // The latest mark alone: home 1 would have to read records 3 and 4 and the copy at 5 first.
        assertThat(OrderRule.horizon(1, 2, q -> q == 0 ? List.of(latest) : ones, 3)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void aMarkMakesAnOlderOneUselessOnlyWithAHorizonAsLateAndNoMoreCopiesNamed() {
        Mark old = new Mark("commands", 0, 1_000, Map.of(0, 4L, 1, 2L), 0);
        assertThat(MarkBoard.covers(new Mark("commands", 0, 1_200, Map.of(0, 4L, 1, 2L), 0), old)).isTrue();
        assertThat(MarkBoard.covers(new Mark("commands", 0, 1_200, Map.of(0, 4L, 1, 3L), 0), old)).isFalse();
        assertThat(MarkBoard.covers(new Mark("commands", 0, 999, Map.of(0, 4L, 1, 2L), 0), old)).isFalse();
        assertThat(MarkBoard.covers(new Mark("commands", 0, 1_000, Map.of(0, 4L, 1, 2L, 2, 1L), 0), old)).isFalse();
    }

    @Test
    void aCommandLeavesOnceTheHorizonIsAWindowPastItsTimestampOrAfterTheLongestWait() {
        assertThat(RULE.release(8_500, 100, 9_000, 200)).isEqualTo(OrderRule.Release.IN_ORDER);
        assertThat(RULE.release(8_501, 100, 9_000, 200)).isEqualTo(OrderRule.Release.WAIT);
        assertThat(RULE.release(8_501, 100, 9_000, 30_099)).isEqualTo(OrderRule.Release.WAIT);
        assertThat(RULE.release(8_501, 100, 9_000, 30_100)).isEqualTo(OrderRule.Release.FORCED);
        assertThat(RULE.release(0, 100, Long.MIN_VALUE, 200)).isEqualTo(OrderRule.Release.WAIT);
    }

    /**
     * Oracle: a simulated commands topic of 3 partitions, produced to in time order with records spread over
     * partitions, read partition by partition in a random order, forwards completing in a random order, marks
     * published and end offsets asked at random moments. Whenever the rule lets a command of home h with timestamp T
     * leave in order, every record homed at h with a timestamp at or before T must have been read at h (itself or its
     * copy): checked against the simulation's own bookkeeping, not the classes under test. Records reach the broker
     * at their timestamp, so the window is 0.
     */
    @Test
    void whatTheRuleLetsLeaveInOrderHasEveryEarlierCommandOfItsHomeReadThere() {
        OrderRule rule = new OrderRule(0, Long.MAX_VALUE);
        long releasedEarly = 0;
        for (int seed = 0; seed < 200; seed++) {
            Random random = new Random(seed);
            Sim sim = new Sim(3, random);
            int produced = 0;
            long released = 0;
            for (int step = 0; step < 600; step++) {
                int action = random.nextInt(6);
                if (action == 0 && produced < 80) {
                    sim.produce(random.nextInt(3), random.nextInt(3));
                    produced++;
                } else if (action == 1) {
                    sim.readOne(random.nextInt(3));
                } else if (action == 2) {
                    sim.completeForward();
                } else if (action == 3) {
                    sim.askEnds(random.nextInt(3));
                } else if (action == 4) {
                    sim.publish(random.nextInt(3));
                } else {
                    released += sim.check(rule);
                }
            }
            // Drain: everything read and forwarded, ends asked, marks published: every command may leave.
            sim.drain();
            sim.check(rule);
            for (Sim.Log record : sim.readAtHome) {
                long horizon = OrderRule.horizon(record.home, 3, sim::marks, sim.progress[record.home].read());
                assertThat(rule.release(record.timestamp, 0, horizon, 0)).as("seed %d", seed)
                        .isEqualTo(OrderRule.Release.IN_ORDER);
            }
            releasedEarly += released;
        }
        // The rule is not simply "never": commands leave while others are still being produced and read.
        assertThat(releasedEarly).isGreaterThan(1_000);
    }

    /** The simulation; its own bookkeeping is the oracle. */
    private static final class Sim {
        record Log(long timestamp, int home, boolean copy) {
        }

        private final int partitions;
        private final Random random;
        private final List<List<Log>> logs = new ArrayList<>();
        private final int[] next;
        private final RouteProgress[] progress;
        private final Map<Integer, List<Mark>> board = new HashMap<>();
        /** Forwards under way: {partition, offset}. */
        private final List<long[]> forwarding = new ArrayList<>();
        private final List<Log> produced = new ArrayList<>();
        private final List<Log> readAtHome = new ArrayList<>();
        private long clock = 1_000;

        Sim(int partitions, Random random) {
            this.partitions = partitions;
            this.random = random;
            this.next = new int[partitions];
            this.progress = new RouteProgress[partitions];
            for (int p = 0; p < partitions; p++) {
                logs.add(new ArrayList<>());
                progress[p] = new RouteProgress("commands", p, 0, Map.of());
            }
        }

        void produce(int partition, int home) {
            clock += 1 + random.nextInt(3);
            Log record = new Log(clock, home, false);
            logs.get(partition).add(record);
            produced.add(record);
        }

        void readOne(int partition) {
            List<Log> log = logs.get(partition);
            if (next[partition] >= log.size()) {
                return;
            }
            int offset = next[partition]++;
            Log record = log.get(offset);
            boolean forward = !record.copy && record.home != partition;
            if (!forward) {
                readAtHome.add(record);
            } else {
                forwarding.add(new long[] {partition, offset});
            }
            progress[partition].read(offset, record.timestamp, forward);
        }

        void completeForward() {
            if (forwarding.isEmpty()) {
                return;
            }
            long[] forward = forwarding.remove(random.nextInt(forwarding.size()));
            int from = (int) forward[0];
            Log original = logs.get(from).get((int) forward[1]);
            List<Log> home = logs.get(original.home);
            home.add(new Log(original.timestamp, original.home, true));
            progress[from].forwarded(forward[1], original.home, home.size() - 1);
        }

        void askEnds(int partition) {
            progress[partition].end(logs.get(partition).size(), clock);
        }

        void publish(int partition) {
            board.computeIfAbsent(partition, p -> new ArrayList<>()).add(progress[partition].mark(clock));
        }

        /** Every mark published of {@code partition}: the rule may use any. */
        List<Mark> marks(int partition) {
            return board.getOrDefault(partition, List.of());
        }

        /** Checks every command read at its home against the oracle; returns how many the rule lets leave. */
        int check(OrderRule rule) {
            int leaving = 0;
            for (Log waiting : readAtHome) {
                int home = waiting.home;
                long horizon = OrderRule.horizon(home, partitions, this::marks, progress[home].read());
                if (rule.release(waiting.timestamp, 0, horizon, 0) == OrderRule.Release.IN_ORDER) {
                    leaving++;
                    for (Log earlier : produced) {
                        if (earlier.home == home && earlier.timestamp <= waiting.timestamp) {
                            assertThat(readAtHome.stream().anyMatch(r -> r.timestamp == earlier.timestamp))
                                    .as("the command of %d on home %d leaves before the one of %d was read there",
                                            waiting.timestamp, home, earlier.timestamp)
                                    .isTrue();
                        }
                    }
                }
            }
            return leaving;
        }

        void drain() {
            boolean moved = true;
            while (moved) {
                moved = !forwarding.isEmpty();
                while (!forwarding.isEmpty()) {
                    completeForward();
                }
                for (int p = 0; p < partitions; p++) {
                    while (next[p] < logs.get(p).size()) {
                        readOne(p);
                        moved = true;
                    }
                }
            }
            clock++;
            for (int p = 0; p < partitions; p++) {
                askEnds(p);
                publish(p);
            }
        }
    }
}
