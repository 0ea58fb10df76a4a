package io.issuetrakbridge.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Issue 15 (a) on one service, as segments run one after another: the others (n commands over 300 issues of their
 * own, paced) alone, or next to a hot issue's backlog of n commands produced at once just before them. The first
 * segment is a "with" one that is not measured (it warms the scheduler's parking path and the paced path, which the
 * uniform warm-up does not); then {@code pairs} pairs in the order without/with, with/without, without/with, ..., so
 * that a drift over the run (JIT, the broker's log, the sandbox's heap) weighs on both kinds alike. Each segment has
 * issues of its own, so no segment waits for another's order.
 */
final class HotPairs {

    /** Indexes are relative to the first measured command: [from, backlogEnd) the hot backlog, then the others. */
    record Segment(boolean hot, boolean measured, int from, int backlogEnd, int to) {
        String kind() {
            return hot ? "with" : "without";
        }
    }

    /** The segments' issue ranges must stay below the hot issues' and the sandbox's 1,000,000. */
    static final int MAX_PAIRS = 50;

    private final List<Workload.Command> commands = new ArrayList<>();
    private final List<Segment> segments = new ArrayList<>();

    HotPairs(int pairs, int n) {
        if (pairs < 1 || pairs > MAX_PAIRS) {
            throw new IllegalArgumentException("--hot-pairs must be 1.." + MAX_PAIRS + ", got " + pairs);
        }
        add(true, false, n);
        for (int p = 0; p < pairs; p++) {
            boolean withFirst = p % 2 == 1;
            add(withFirst, true, n);
            add(!withFirst, true, n);
        }
    }

    private void add(boolean hot, boolean measured, int n) {
        int s = segments.size();
        int from = commands.size();
        if (hot) {
            for (int i = 0; i < n; i++) {
                commands.add(new Workload.Command(0, Benchmark.HOT_ISSUE + s, i));
            }
        }
        int backlogEnd = commands.size();
        commands.addAll(Workload.commands(n, Benchmark.HOT_OTHERS,
                Benchmark.HOT_OTHERS_FIRST + (long) Benchmark.HOT_OTHERS * s, 7 + s));
        segments.add(new Segment(hot, measured, from, backlogEnd, commands.size()));
    }

    /** All segments' commands, numbered from 0 (renumber after the warm-up). */
    List<Workload.Command> commands() {
        return commands;
    }

    List<Segment> segments() {
        return segments;
    }
}
