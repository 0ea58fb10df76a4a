package io.issuetrakbridge.scheduling;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Decides which fetched command enters the window of commands being worked on, and when: pure logic, no
 * threads or timers (a clock of the caller's), so every rule below is testable on its own.
 * <ul>
 * <li><b>Window:</b> at most {@code window} commands are admitted (working) at once.</li>
 * <li><b>Fairness cap:</b> an issue holds at most {@code perIssue} of those slots. Its further commands wait
 * <em>parked</em>, holding no slot, so one issue's burst cannot fill the window while the others wait.</li>
 * <li><b>Per-issue order:</b> only the head of an issue's queue (its oldest command not admitted) can be
 * admitted, so an issue's commands enter the window in arrival order.</li>
 * <li><b>Priority:</b> when a slot frees, the heads of issues that have a high-priority command queued go
 * first, then the others; within each class the issue whose head arrived first. An issue with a high-priority
 * command behind normal ones of its own has its whole queue promoted (priority inheritance): its normal
 * commands ahead of the high one go first, in order, so the high one is reached without overtaking them.</li>
 * </ul>
 * Thread-safe: every method is {@code synchronized}; the {@code admit} callback runs under
 * that lock, in admission order, so what it does (take a place in the issue's delivery sequence) happens in the
 * same order even when two threads release slots at once.
 *
 * @param <T> what waits (a command's turn)
 */
public final class FairQueue<T> {

    /** Why a command that is fetched but not being worked on waits (metrics; README, Metrics). */
    public enum Reason {
        /** An earlier command of its issue is queued ahead of it (it is not its issue's head). */
        ISSUE_TURN,
        /** Its issue's head, and its issue holds {@code perIssue} slots already. */
        FAIRNESS_CAP,
        /** An eligible normal head while the window is full and a high-priority head is eligible too. */
        PRIORITY,
        /** An eligible head waiting only for a free slot in the full window. */
        WINDOW
    }

    private record Entry<T>(T item, boolean high, long sequence, long since) {
    }

    /** One issue with commands queued or slots held; dropped when it has neither. */
    private static final class Issue<T> {
        private final long number;
        private final ArrayDeque<Entry<T>> queue = new ArrayDeque<>();
        private int held;
        private int highQueued;

        Issue(long number) {
            this.number = number;
        }

        boolean promoted() {
            return highQueued > 0;
        }
    }

    /** High class first, then the head that arrived first; the issue number only to keep the set's keys distinct. */
    private static final Comparator<Issue<?>> ORDER = Comparator.<Issue<?>, Boolean>comparing(i -> !i.promoted())
            .thenComparingLong(i -> i.queue.peekFirst().sequence())
            .thenComparingLong(i -> i.number);

    private final int window;
    private final int perIssue;
    private final LongSupplier clock;
    private final Map<Long, Issue<T>> issues = new HashMap<>();
    /** Issues whose head may be admitted now, best first: a queue not empty and fewer than perIssue slots held. */
    private final TreeSet<Issue<T>> eligible = new TreeSet<>(ORDER);
    private int working;
    private int parked;
    private long sequence;

    /**
     * @param window commands admitted at once ({@code bridge.max-in-flight})
     * @param perIssue slots one issue may hold ({@code bridge.scheduling.max-per-issue})
     * @param clock milliseconds, for the age of the oldest parked command
     */
    public FairQueue(int window, int perIssue, LongSupplier clock) {
        if (window < 1 || perIssue < 1) {
            throw new IllegalArgumentException("window and perIssue must be at least 1");
        }
        this.window = window;
        this.perIssue = perIssue;
        this.clock = clock;
    }

    /**
     * Queues {@code item} behind its issue's earlier commands, then admits what may be admitted (possibly this
     * one).
     *
     * @param admit called under the lock, in admission order, for each command admitted now; it returns false
     *        when the command was dropped instead of started (its partition was revoked): it then holds no slot
     */
    public synchronized void offer(long issueNumber, boolean high, T item, Predicate<T> admit) {
        Issue<T> issue = issues.computeIfAbsent(issueNumber, Issue::new);
        unlist(issue);
        issue.queue.addLast(new Entry<>(item, high, sequence++, clock.getAsLong()));
        if (high) {
            issue.highQueued++;
        }
        parked++;
        settle(issue);
        admitWhilePossible(admit);
    }

    /** A slot held by one of the issue's admitted commands is free again: admits what may be admitted now. */
    public synchronized void release(long issueNumber, Predicate<T> admit) {
        Issue<T> issue = issues.get(issueNumber);
        if (issue == null || issue.held == 0) {
            throw new IllegalStateException("issue " + issueNumber + " holds no slot");
        }
        unlist(issue);
        issue.held--;
        working--;
        settle(issue);
        admitWhilePossible(admit);
    }

    /**
     * Removes a parked command that will not be worked on (its stream was cancelled).
     *
     * @return false if it is not parked (already admitted, or unknown)
     */
    public synchronized boolean withdraw(long issueNumber, T item) {
        Issue<T> issue = issues.get(issueNumber);
        if (issue == null) {
            return false;
        }
        Entry<T> found = issue.queue.stream().filter(e -> e.item() == item).findFirst().orElse(null);
        if (found == null) {
            return false;
        }
        unlist(issue);
        issue.queue.remove(found);
        forget(issue, found);
        settle(issue);
        return true;
    }

    /** Takes every parked command out (shutdown), handing each to {@code dropped}; admitted ones keep their slots. */
    public synchronized void clear(Consumer<T> dropped) {
        for (Issue<T> issue : new ArrayList<>(issues.values())) {
            unlist(issue);
            while (!issue.queue.isEmpty()) {
                Entry<T> entry = issue.queue.pollFirst();
                forget(issue, entry);
                dropped.accept(entry.item());
            }
            settle(issue);
        }
    }

    /** Commands admitted and not released. */
    public synchronized int working() {
        return working;
    }

    /** Commands queued and not admitted. */
    public synchronized int parked() {
        return parked;
    }

    /** Slots {@code issueNumber} holds now. */
    public synchronized int held(long issueNumber) {
        Issue<T> issue = issues.get(issueNumber);
        return issue == null ? 0 : issue.held;
    }

    /** Parked commands by the reason they wait (every reason present, possibly 0). */
    public synchronized Map<Reason, Integer> waiting() {
        Map<Reason, Integer> counts = new EnumMap<>(Reason.class);
        for (Reason reason : Reason.values()) {
            counts.put(reason, 0);
        }
        boolean highEligible = !eligible.isEmpty() && eligible.first().promoted();
        for (Issue<T> issue : issues.values()) {
            if (issue.queue.isEmpty()) {
                continue;
            }
            counts.merge(Reason.ISSUE_TURN, issue.queue.size() - 1, Integer::sum);
            Reason head;
            if (issue.held >= perIssue) {
                head = Reason.FAIRNESS_CAP;
            } else if (!issue.promoted() && highEligible) {
                head = Reason.PRIORITY;
            } else {
                head = Reason.WINDOW;
            }
            counts.merge(head, 1, Integer::sum);
        }
        return counts;
    }

    /** Milliseconds the oldest parked command has waited; 0 when none is parked. */
    public synchronized long oldestWaitingMillis() {
        long oldest = Long.MAX_VALUE;
        for (Issue<T> issue : issues.values()) {
            Entry<T> head = issue.queue.peekFirst();
            if (head != null) {
                // An issue's head arrived before the rest of its queue: the heads hold the oldest.
                oldest = Math.min(oldest, head.since());
            }
        }
        return oldest == Long.MAX_VALUE ? 0 : Math.max(0, clock.getAsLong() - oldest);
    }

    private void admitWhilePossible(Predicate<T> admit) {
        while (working < window && !eligible.isEmpty()) {
            Issue<T> issue = eligible.pollFirst();
            Entry<T> entry = issue.queue.pollFirst();
            forget(issue, entry);
            if (admit.test(entry.item())) {
                issue.held++;
                working++;
            }
            settle(issue);
        }
    }

    /** Takes the issue out of the eligible set before its key (head, class) changes; the key needs a head. */
    private void unlist(Issue<T> issue) {
        if (!issue.queue.isEmpty()) {
            eligible.remove(issue);
        }
    }

    private void forget(Issue<T> issue, Entry<T> entry) {
        parked--;
        if (entry.high()) {
            issue.highQueued--;
        }
    }

    /** Puts the issue back among the eligible ones if it is, or drops it once it has nothing queued or held. */
    private void settle(Issue<T> issue) {
        if (!issue.queue.isEmpty() && issue.held < perIssue) {
            eligible.add(issue);
        } else if (issue.queue.isEmpty() && issue.held == 0) {
            issues.remove(issue.number);
        }
    }
}
