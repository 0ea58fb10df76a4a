package io.issuetrakbridge.ledger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * The ledger of one partition in memory, for as long as the ledger topic keeps it: entries live in
 * generations by the time they were written, and a generation is dropped once all of it is older than
 * the retention.
 * <p>
 * Why: before, an instance forgot nothing until its next restore, so a long-running one grew by about
 * 46 bytes per note for as long as it ran (830 MB an hour at 5,000 notes/s). Now memory is bounded by
 * what the partition receives within the retention, as on a restore.
 * <p>
 * Generations follow the ledger's order, never the clock's: an entry goes to the newest generation even
 * when its time stamp is older (another instance's clock, a restored record), so the newest generation
 * holding a command always has its latest state (PENDING and CREATED of one command may sit in two).
 * Not thread-safe: {@link CommandLedger} synchronizes on the window.
 */
final class LedgerWindow {

    /** How many generations the retention is cut into: memory overshoots it by at most one of them. */
    static final int GENERATIONS = 8;

    private final long spanMillis;
    /** Newest first. */
    private final ArrayDeque<Generation> generations = new ArrayDeque<>();

    private record Generation(long bucket, LedgerIndex index) {
    }

    LedgerWindow(Duration retention) {
        this.spanMillis = Math.max(1, retention.toMillis() / GENERATIONS);
    }

    Optional<LedgerEntry> get(String commandId) {
        byte[] id = commandId.getBytes(StandardCharsets.UTF_8);
        for (Generation generation : generations) {
            Optional<LedgerEntry> entry = generation.index().get(id);
            if (entry.isPresent()) {
                return entry;
            }
        }
        return Optional.empty();
    }

    /**
     * Records an entry written at {@code writtenAt} (epoch millis) as the command's latest state; false
     * when it is already older than the retention at {@code now}, and so not kept.
     */
    boolean put(byte[] id, LedgerEntry entry, long writtenAt, long now) {
        expire(now);
        long bucket = writtenAt / spanMillis;
        if (bucket < oldestKept(now)) {
            return false;
        }
        Generation newest = generations.peekFirst();
        if (newest == null || bucket > newest.bucket()) {
            newest = new Generation(bucket, new LedgerIndex());
            generations.addFirst(newest);
        }
        newest.index().put(id, entry);
        return true;
    }

    /** A tombstone in the ledger topic: the command is forgotten. */
    void remove(byte[] id) {
        generations.forEach(generation -> generation.index().remove(id));
    }

    /** Drops the generations wholly older than the retention at {@code now}. */
    void expire(long now) {
        long oldest = oldestKept(now);
        while (!generations.isEmpty() && generations.peekLast().bucket() < oldest) {
            generations.removeLast();
        }
    }

    /** NoteIDs the created commands of {@code issueNumber} own, in every generation. */
    Set<Long> notesOf(long issueNumber) {
        Set<Long> owned = new HashSet<>();
        generations.forEach(generation -> owned.addAll(generation.index().notesOf(issueNumber)));
        return Set.copyOf(owned);
    }

    /** Copies without the bytes of removed records (after a restore that met tombstones). */
    LedgerWindow compacted() {
        LedgerWindow copy = new LedgerWindow(Duration.ofMillis(spanMillis * GENERATIONS));
        for (Iterator<Generation> it = generations.descendingIterator(); it.hasNext();) {
            Generation generation = it.next();
            LedgerIndex index = generation.index();
            copy.generations.addFirst(new Generation(generation.bucket(), index.garbage() > 0 ? index.compacted() : index));
        }
        return copy;
    }

    boolean hasGarbage() {
        return generations.stream().anyMatch(generation -> generation.index().garbage() > 0);
    }

    int generations() {
        return generations.size();
    }

    /** Entries in all generations (a command written in two counts twice). */
    int size() {
        return generations.stream().mapToInt(generation -> generation.index().size()).sum();
    }

    /** The oldest bucket still within the retention: the one that holds {@code now - retention}. */
    private long oldestKept(long now) {
        return (now - spanMillis * GENERATIONS) / spanMillis;
    }
}
