package io.issuetrakbridge.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import io.issuetrakbridge.scheduling.FairQueue.Reason;

/**
 * The scheduling rules on their own. Expected orders are written by hand; the randomized test checks every
 * admission against {@link Oracle}, a brute-force restatement of the rules over a flat list (no sets, no per-issue
 * queues), written apart from {@link FairQueue}.
 */
class FairQueueTest {

    /** A command: its issue, its number among its issue's commands, whether it is high priority. */
    record Cmd(long issue, int n, boolean high) {
        @Override
        public String toString() {
            return issue + "#" + n + (high ? "!" : "");
        }
    }

    private final AtomicLong clock = new AtomicLong(1_000);
    private final List<Cmd> admitted = new ArrayList<>();
    private final Predicate<Cmd> admit = c -> admitted.add(c);
    private final Map<Long, Integer> counters = new HashMap<>();

    private Cmd offer(FairQueue<Cmd> queue, long issue, boolean high) {
        Cmd cmd = new Cmd(issue, counters.merge(issue, 1, Integer::sum) - 1, high);
        queue.offer(issue, high, cmd, admit);
        return cmd;
    }

    private List<String> admittedNames() {
        return admitted.stream().map(Cmd::toString).toList();
    }

    @Test
    void aHotIssueHoldsAtMostItsCapAndTheOthersGetTheRestOfTheWindow() {
        FairQueue<Cmd> queue = new FairQueue<>(4, 2, clock::get);
        for (int i = 0; i < 10; i++) {
            offer(queue, 1, false);
        }
        offer(queue, 2, false);
        offer(queue, 3, false);
        offer(queue, 4, false);

        assertEquals(List.of("1#0", "1#1", "2#0", "3#0"), admittedNames());
        assertEquals(2, queue.held(1));
        assertEquals(4, queue.working());
        assertEquals(9, queue.parked());

        // Issue 1's first note is done: issue 1 is below its cap again, and its head (1#2) arrived before 4#0.
        queue.release(1, admit);
        assertEquals("1#2", admitted.get(4).toString());
        // Issue 2 done: issue 1 is at its cap again, so 4#0 goes.
        queue.release(2, admit);
        assertEquals("4#0", admitted.get(5).toString());
        assertEquals(2, queue.held(1));
    }

    @Test
    void anIssuesCommandsAreAdmittedInArrivalOrder() {
        FairQueue<Cmd> queue = new FairQueue<>(1, 1, clock::get);
        offer(queue, 7, false);
        offer(queue, 7, true);
        offer(queue, 7, false);
        queue.release(7, admit);
        queue.release(7, admit);
        assertEquals(List.of("7#0", "7#1!", "7#2"), admittedNames());
    }

    @Test
    void highPriorityHeadsGoBeforeNormalOnesOfOtherIssuesThenOldestFirst() {
        FairQueue<Cmd> queue = new FairQueue<>(1, 2, clock::get);
        offer(queue, 9, false); // takes the only slot
        offer(queue, 2, false);
        offer(queue, 3, false);
        offer(queue, 4, true);
        offer(queue, 5, true);
        for (int i = 0; i < 4; i++) {
            queue.release(admitted.get(admitted.size() - 1).issue(), admit);
        }
        assertEquals(List.of("9#0", "4#0!", "5#0!", "2#0", "3#0"), admittedNames());
    }

    @Test
    void aHighCommandBehindNormalOnesOfItsIssuePromotesThemAndNeverOvertakesThem() {
        FairQueue<Cmd> queue = new FairQueue<>(1, 1, clock::get);
        offer(queue, 9, false); // takes the only slot
        offer(queue, 2, false);
        offer(queue, 5, false);
        offer(queue, 5, false);
        offer(queue, 5, true);
        offer(queue, 6, false);
        for (int i = 0; i < 5; i++) {
            queue.release(admitted.get(admitted.size() - 1).issue(), admit);
        }
        assertEquals(List.of("9#0", "5#0", "5#1", "5#2!", "2#0", "6#0"), admittedNames());
    }

    @Test
    void aDroppedCommandHoldsNoSlotAndTheNextOneIsAdmittedInItsPlace() {
        FairQueue<Cmd> queue = new FairQueue<>(1, 2, clock::get);
        List<Cmd> dropped = new ArrayList<>();
        Predicate<Cmd> revokedIssue3 = c -> {
            if (c.issue() == 3) {
                dropped.add(c);
                return false;
            }
            return admitted.add(c);
        };
        queue.offer(3, false, new Cmd(3, 0, false), revokedIssue3);
        queue.offer(4, false, new Cmd(4, 0, false), revokedIssue3);
        assertEquals(List.of("3#0"), dropped.stream().map(Cmd::toString).toList());
        assertEquals(List.of("4#0"), admittedNames());
        assertEquals(1, queue.working());
        assertEquals(0, queue.parked());
    }

    @Test
    void waitingReasonsAndTheOldestParkedCommandsAge() {
        FairQueue<Cmd> queue = new FairQueue<>(3, 2, clock::get);
        offer(queue, 1, false);
        offer(queue, 1, false);
        offer(queue, 1, false); // head of issue 1, issue at its cap: fairness_cap
        offer(queue, 1, false); // behind it: issue_turn
        clock.addAndGet(500);
        offer(queue, 2, false); // takes the last slot
        offer(queue, 3, false); // eligible, window full, a high head is eligible: priority
        clock.addAndGet(250);
        offer(queue, 4, true); // eligible high, window full: window
        offer(queue, 4, false); // behind it: issue_turn
        clock.addAndGet(1_000);

        assertEquals(Map.of(Reason.ISSUE_TURN, 2, Reason.FAIRNESS_CAP, 1, Reason.PRIORITY, 1, Reason.WINDOW, 1),
                queue.waiting());
        // 1#2 arrived at 1,000 and waits since: 1,750 ms at 2,750.
        assertEquals(1_750, queue.oldestWaitingMillis());

        queue.release(1, admit);
        queue.release(1, admit);
        queue.release(2, admit);
        // 4#0! first (the priority lane), then oldest first: issue 1's backlog arrived before 3#0, within its cap.
        assertEquals(List.of("1#0", "1#1", "2#0", "4#0!", "1#2", "1#3"), admittedNames());
        // 3#0 arrived at 1,500.
        assertEquals(1_250, queue.oldestWaitingMillis());
    }

    @Test
    void withdrawAndClearTakeOnlyParkedCommands() {
        FairQueue<Cmd> queue = new FairQueue<>(1, 1, clock::get);
        Cmd running = offer(queue, 1, false);
        Cmd second = offer(queue, 1, false);
        Cmd other = offer(queue, 2, false);
        assertFalse(queue.withdraw(1, running));
        assertTrue(queue.withdraw(1, second));
        assertEquals(1, queue.parked());
        List<Cmd> cleared = new ArrayList<>();
        queue.clear(cleared::add);
        assertEquals(List.of(other), cleared);
        assertEquals(0, queue.parked());
        assertEquals(0, queue.oldestWaitingMillis());
        queue.release(1, admit);
        assertEquals(List.of(running), admitted);
        assertEquals(0, queue.working());
    }

    @Test
    void randomInterleavingsAdmitExactlyWhatTheOracleAdmits() {
        for (long seed = 1; seed <= 300; seed++) {
            Random random = new Random(seed);
            int window = 1 + random.nextInt(6);
            int cap = 1 + random.nextInt(3);
            int issues = 1 + random.nextInt(8);
            FairQueue<Cmd> queue = new FairQueue<>(window, cap, clock::get);
            Oracle oracle = new Oracle(window, cap);
            List<Cmd> working = new ArrayList<>();
            Map<Long, Integer> offered = new HashMap<>();
            Map<Long, Integer> lastAdmitted = new HashMap<>();
            List<Cmd> got = new ArrayList<>();
            Predicate<Cmd> record = c -> got.add(c);
            for (int step = 0; step < 400; step++) {
                got.clear();
                List<Cmd> expected;
                if (working.isEmpty() || random.nextInt(100) < 55) {
                    long issue = random.nextInt(issues);
                    Cmd cmd = new Cmd(issue, offered.merge(issue, 1, Integer::sum) - 1, random.nextInt(10) == 0);
                    queue.offer(issue, cmd.high(), cmd, record);
                    expected = oracle.offer(cmd);
                } else {
                    Cmd done = working.remove(random.nextInt(working.size()));
                    queue.release(done.issue(), record);
                    expected = oracle.release(done);
                }
                String where = "seed " + seed + " step " + step;
                assertEquals(expected, got, where);
                working.addAll(got);
                for (Cmd c : got) {
                    Integer previous = lastAdmitted.put(c.issue(), c.n());
                    assertEquals(previous == null ? 0 : previous + 1, c.n(), "per-issue order, " + where);
                }
                assertTrue(working.size() <= window, "window, " + where);
                for (Cmd c : working) {
                    assertTrue(working.stream().filter(w -> w.issue() == c.issue()).count() <= cap, "cap, " + where);
                }
                assertEquals(working.size(), queue.working(), where);
                assertEquals(oracle.parked.size(), queue.parked(), where);
            }
        }
    }

    /**
     * The rules restated by brute force: the parked commands in one list in arrival order; to admit, scan for the
     * issues under their cap, take each one's first parked command, and pick the best: an issue with any high
     * command parked first, then the earliest arrival.
     */
    static final class Oracle {
        private final int window;
        private final int cap;
        private final List<Cmd> parked = new ArrayList<>();
        private final List<Cmd> working = new ArrayList<>();

        Oracle(int window, int cap) {
            this.window = window;
            this.cap = cap;
        }

        List<Cmd> offer(Cmd cmd) {
            parked.add(cmd);
            return admitAll();
        }

        List<Cmd> release(Cmd done) {
            working.remove(done);
            return admitAll();
        }

        private List<Cmd> admitAll() {
            List<Cmd> out = new ArrayList<>();
            while (working.size() < window) {
                Cmd best = null;
                boolean bestHigh = false;
                for (Cmd candidate : parked) {
                    long held = working.stream().filter(w -> w.issue() == candidate.issue()).count();
                    boolean isHead = parked.stream().filter(p -> p.issue() == candidate.issue()).findFirst()
                            .orElseThrow() == candidate;
                    if (held >= cap || !isHead) {
                        continue;
                    }
                    boolean high = parked.stream().anyMatch(p -> p.issue() == candidate.issue() && p.high());
                    // parked is in arrival order: the first candidate of a class is the oldest of that class.
                    if (best == null || (high && !bestHigh)) {
                        best = candidate;
                        bestHigh = high;
                    }
                }
                if (best == null) {
                    break;
                }
                parked.remove(best);
                working.add(best);
                out.add(best);
            }
            return out;
        }
    }
}
