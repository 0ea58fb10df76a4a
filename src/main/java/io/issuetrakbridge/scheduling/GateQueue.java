package io.issuetrakbridge.scheduling;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The requests waiting at one gate (the concurrency limit, a budget bucket) for their turn: the oldest
 * high-priority one goes first, else the oldest; so arrival order holds among equals and nothing waits longer than
 * the priority lane's traffic makes it.
 * <p>
 * An arrival-ordered {@link ArrayDeque} scanned for the first high one, rather than a {@link java.util.PriorityQueue}
 * keyed on priority: a waiter's priority can rise while it waits (priority inheritance), which a heap would not see.
 * The scan stops at the first high waiter and a gate holds at most one request per command of the window
 * ({@code bridge.max-in-flight}), plus probes.
 * <p>
 * Not thread-safe: each gate holds its own lock around these calls.
 *
 * @param <W> a waiter (compared by identity when removed)
 */
public final class GateQueue<W> {

    private record Entry<W>(W waiter, Priority priority) {
    }

    private final ArrayDeque<Entry<W>> waiting = new ArrayDeque<>();

    /** Queues {@code waiter} behind every waiter already here; {@code priority} is read at each {@link #poll}. */
    public void add(W waiter, Priority priority) {
        waiting.addLast(new Entry<>(waiter, priority));
    }

    /** Takes the waiter whose turn it is: the oldest high-priority one, else the oldest; null when none waits. */
    public W poll() {
        for (Iterator<Entry<W>> it = waiting.iterator(); it.hasNext();) {
            Entry<W> entry = it.next();
            if (entry.priority().high()) {
                it.remove();
                return entry.waiter();
            }
        }
        Entry<W> oldest = waiting.pollFirst();
        return oldest == null ? null : oldest.waiter();
    }

    /** Removes {@code waiter} (it gave up); false if it is not here. */
    public boolean remove(W waiter) {
        return waiting.removeIf(e -> e.waiter() == waiter);
    }

    public boolean isEmpty() {
        return waiting.isEmpty();
    }

    public int size() {
        return waiting.size();
    }
}
