package io.issuetrakbridge.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Puts the commands of one key (an issue) back into the order of their record timestamps, when they reach the
 * bridge from several partitions, which Kafka reads in no particular order.
 * <p>
 * The rule: a command waits until {@code window} after the earlier of its record timestamp and its arrival
 * here (so a producer clock running ahead cannot hold it longer than the window), and the waiting commands of
 * a key leave in the order of (timestamp, partition first read from, offset there): a command leaves only when
 * every command of its key that sorts before it has left. A command that arrives after one that sorts after it
 * has already left is late: it leaves at once, out of order. So the order holds for commands that reach the
 * bridge within the window of each other's timestamps; equal timestamps (one millisecond) on different
 * partitions are ordered by partition, which is not the producer's order.
 * <p>
 * Plain logic with a clock of the caller's: timers and releases are the caller's business.
 *
 * @param <K> the key (an issue number)
 * @param <T> what waits (a command's turn)
 */
public final class TimestampOrder<K, T> {

    /** Where a command was first produced to: its record timestamp, partition and offset there. */
    public record Place(long timestamp, int partition, long offset) implements Comparable<Place> {
        @Override
        public int compareTo(Place other) {
            int byTime = Long.compare(timestamp, other.timestamp);
            if (byTime != 0) {
                return byTime;
            }
            int byPartition = Integer.compare(partition, other.partition);
            return byPartition != 0 ? byPartition : Long.compare(offset, other.offset);
        }
    }

    private record Waiting<T>(Place place, long arrived, long due, long sequence, T item) {
    }

    /** Whether the command at the head of its key's line may leave now (routing marks). */
    @FunctionalInterface
    public interface Ready<K> {
        OrderRule.Release test(K key, Place place, long arrived, long now);
    }

    /** Takes a command that leaves, and how. */
    @FunctionalInterface
    public interface Leaving<T> {
        void leave(T item, OrderRule.Release how);
    }

    private final long windowMillis;
    private final LongSupplier clock;
    /** Guarded by this. Only keys with commands waiting, so the map stays at the number of such issues. */
    private final Map<K, PriorityQueue<Waiting<T>>> waiting = new HashMap<>();
    private long sequence;

    /**
     * @param window how long a command may wait for earlier ones of its key; zero: no wait, arrival order
     * @param clock epoch milliseconds
     */
    public TimestampOrder(Duration window, LongSupplier clock) {
        this.windowMillis = window.toMillis();
        this.clock = clock;
    }

    /**
     * Adds a waiting command.
     *
     * @return milliseconds from now until it is due; 0 when it is due now. Call {@link #drain} then.
     */
    public synchronized long add(K key, Place place, T item) {
        long now = clock.getAsLong();
        long due = Math.min(place.timestamp(), now) + windowMillis;
        waiting.computeIfAbsent(key, k -> new PriorityQueue<>((a, b) -> {
            int byPlace = a.place().compareTo(b.place());
            // A redelivered copy of the same place leaves after the first: both are answered, in arrival order.
            return byPlace != 0 ? byPlace : Long.compare(a.sequence(), b.sequence());
        })).add(new Waiting<>(place, now, due, sequence++, item));
        return Math.max(0, due - now);
    }

    /**
     * Hands {@code inOrder} the due commands at the head of the key's line, in order, while holding this
     * object's lock: what {@code inOrder} does (take a place in the sequence) happens in that order
     * even when two timers drain the same key at once.
     */
    public synchronized void drain(K key, Consumer<T> inOrder) {
        PriorityQueue<Waiting<T>> line = waiting.get(key);
        if (line == null) {
            return;
        }
        long now = clock.getAsLong();
        List<T> due = new ArrayList<>();
        while (!line.isEmpty() && line.peek().due() <= now) {
            due.add(line.poll().item());
        }
        if (line.isEmpty()) {
            waiting.remove(key);
        }
        due.forEach(inOrder);
    }

    /**
     * Hands {@code inOrder} the commands at the head of the key's line, in order, while {@code ready} lets each go
     * ({@link OrderRule.Release#IN_ORDER} or {@link OrderRule.Release#FORCED}), under this object's lock as
     * {@link #drain(Object, Consumer)} does. The window's due times play no part.
     */
    public synchronized void drain(K key, Ready<K> ready, Leaving<T> inOrder) {
        PriorityQueue<Waiting<T>> line = waiting.get(key);
        if (line == null) {
            return;
        }
        long now = clock.getAsLong();
        while (!line.isEmpty()) {
            Waiting<T> head = line.peek();
            OrderRule.Release how = ready.test(key, head.place(), head.arrived(), now);
            if (how == OrderRule.Release.WAIT) {
                break;
            }
            line.poll();
            inOrder.leave(head.item(), how);
        }
        if (line.isEmpty()) {
            waiting.remove(key);
        }
    }

    /**
     * Hands {@code inOrder} up to {@code count} commands, whatever their keys, earliest place first, each the head of
     * its key's line (so each key's order among those waiting is kept), under this object's lock: for when waiting
     * has to end before what waits for can come.
     *
     * @return how many left
     */
    public synchronized int drainEarliest(int count, Leaving<T> inOrder) {
        PriorityQueue<Map.Entry<K, PriorityQueue<Waiting<T>>>> heads = new PriorityQueue<>(
                (a, b) -> a.getValue().peek().place().compareTo(b.getValue().peek().place()));
        heads.addAll(waiting.entrySet());
        int left = 0;
        while (left < count && !heads.isEmpty()) {
            Map.Entry<K, PriorityQueue<Waiting<T>>> earliest = heads.poll();
            PriorityQueue<Waiting<T>> line = earliest.getValue();
            inOrder.leave(line.poll().item(), OrderRule.Release.FORCED);
            left++;
            if (line.isEmpty()) {
                waiting.remove(earliest.getKey());
            } else {
                heads.add(earliest);
            }
        }
        return left;
    }

    /** The key and place of the earliest command waiting (each key's head), if any. */
    public synchronized Optional<Map.Entry<K, Place>> earliest() {
        return waiting.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue().peek().place()))
                .min(Map.Entry.comparingByValue());
    }

    /** The keys with commands waiting. */
    public synchronized List<K> keys() {
        return new ArrayList<>(waiting.keySet());
    }

    /** Commands waiting, over all keys. */
    public synchronized int size() {
        return waiting.values().stream().mapToInt(PriorityQueue::size).sum();
    }
}
