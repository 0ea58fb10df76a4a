package io.issuetrakbridge.ledger;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The ledger of one partition in memory: command ID to issue and NoteID (or pending), as records in
 * byte chunks and one int table, instead of one object graph per command.
 * <p>
 * Why: an instance keeps every command ID of its partitions for as long as the ledger topic does (14
 * days in deploy/). As map entries (node, String, its bytes, the entry, a boxed NoteID) a 20-character ID
 * cost 156 bytes and five objects, all traced by every old-generation collection; the benchmark's
 * 460,000 commands left a 128 MB heap collecting most of the time. Here it costs its UTF-8 bytes plus a
 * 20-byte header and 4-11 bytes of table (46 bytes in all measured for a 20-byte ID), and the collector
 * sees a few large arrays.
 * <p>
 * Exact, not probabilistic: IDs are compared byte for byte, a hash collision only costs a probe. The
 * hash is seeded per index at random, so IDs cannot be chosen upstream to collide on every instance.
 * Open addressing with linear probing; removal (a tombstone in the topic) shifts the probe run back.
 * Not thread-safe: its {@link LedgerWindow} is guarded by {@link CommandLedger}.
 */
final class LedgerIndex {

    /** Longer keys are not command IDs (those have at most 256 characters): the ledger skips them. */
    static final int MAX_ID_BYTES = 64 * 1024;

    private static final int FREE = -1;
    /** Note value of a PENDING entry: NoteIDs are positive. */
    private static final long NO_NOTE = Long.MIN_VALUE;
    /** Record: ID length (int), issue (long), NoteID (long), then the ID's bytes. */
    private static final int HEADER = 20;
    private static final int CHUNK_BITS = 20;
    private static final int MAX_CHUNK = 1 << CHUNK_BITS;
    /** Offsets are (chunk << CHUNK_BITS | position) in a non-negative int. */
    private static final int MAX_CHUNKS = 1 << (31 - CHUNK_BITS);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final SecureRandom SEEDS = new SecureRandom();

    private final long seed = SEEDS.nextLong();
    /** Chunks grow from 16 KB to 1 MB, so a small partition stays small and a large one never copies. */
    private final List<byte[]> chunks = new ArrayList<>();
    private int used;
    private int garbage;
    private int[] slots;
    private int size;

    LedgerIndex() {
        slots = free(1 << 10);
        chunks.add(new byte[16 * 1024]);
    }

    int size() {
        return size;
    }

    /** Bytes of removed records, reclaimed by {@link #compacted()}. */
    int garbage() {
        return garbage;
    }

    Optional<LedgerEntry> get(String commandId) {
        return get(commandId.getBytes(StandardCharsets.UTF_8));
    }

    Optional<LedgerEntry> get(byte[] id) {
        int slot = find(id, hash(id, 0, id.length));
        if (slot < 0) {
            return Optional.empty();
        }
        byte[] chunk = chunk(slots[slot]);
        int at = position(slots[slot]);
        long issue = (long) LONG.get(chunk, at + 4);
        long note = (long) LONG.get(chunk, at + 12);
        return Optional.of(note == NO_NOTE ? LedgerEntry.pending(issue) : LedgerEntry.created(issue, note));
    }

    void put(String commandId, LedgerEntry entry) {
        put(commandId.getBytes(StandardCharsets.UTF_8), entry);
    }

    void put(byte[] id, LedgerEntry entry) {
        if (id.length > MAX_ID_BYTES) {
            throw new IllegalArgumentException("ledger key of " + id.length + " bytes: not a command ID");
        }
        int hash = hash(id, 0, id.length);
        int slot = find(id, hash);
        if (slot < 0) {
            if ((size + 1) * 4L > slots.length * 3L) {
                grow();
            }
            slot = hash & (slots.length - 1);
            while (slots[slot] != FREE) {
                slot = next(slot);
            }
            slots[slot] = append(id);
            size++;
        }
        byte[] chunk = chunk(slots[slot]);
        int at = position(slots[slot]);
        LONG.set(chunk, at + 4, entry.issueNumber());
        LONG.set(chunk, at + 12, entry.isCreated() ? entry.noteId() : NO_NOTE);
    }

    /** A tombstone in the ledger topic: the command is forgotten. */
    void remove(byte[] id) {
        int slot = find(id, hash(id, 0, id.length));
        if (slot < 0) {
            return;
        }
        size--;
        garbage += HEADER + id.length;
        // Backward-shift deletion: pull later records of the probe run into the hole, so that lookups
        // never stop early at it and no tombstone markers are needed.
        int hole = slot;
        for (int at = next(slot); slots[at] != FREE; at = next(at)) {
            int home = home(slots[at]);
            boolean movable = hole <= at ? (home <= hole || home > at) : (home <= hole && home > at);
            if (movable) {
                slots[hole] = slots[at];
                hole = at;
            }
        }
        slots[hole] = FREE;
    }

    /** A copy without the bytes of removed records. */
    LedgerIndex compacted() {
        LedgerIndex copy = new LedgerIndex();
        for (int offset : slots) {
            if (offset != FREE) {
                byte[] chunk = chunk(offset);
                int at = position(offset);
                int length = (int) INT.get(chunk, at);
                long issue = (long) LONG.get(chunk, at + 4);
                long note = (long) LONG.get(chunk, at + 12);
                copy.put(Arrays.copyOfRange(chunk, at + HEADER, at + HEADER + length),
                        note == NO_NOTE ? LedgerEntry.pending(issue) : LedgerEntry.created(issue, note));
            }
        }
        return copy;
    }

    /** NoteIDs the created commands of {@code issueNumber} own. A scan: only reconciliation asks. */
    Set<Long> notesOf(long issueNumber) {
        Set<Long> owned = new HashSet<>();
        for (int offset : slots) {
            if (offset != FREE) {
                byte[] chunk = chunk(offset);
                int at = position(offset);
                long note = (long) LONG.get(chunk, at + 12);
                if (note != NO_NOTE && (long) LONG.get(chunk, at + 4) == issueNumber) {
                    owned.add(note);
                }
            }
        }
        return Set.copyOf(owned);
    }

    private int find(byte[] id, int hash) {
        for (int slot = hash & (slots.length - 1);; slot = next(slot)) {
            int offset = slots[slot];
            if (offset == FREE) {
                return -1;
            }
            byte[] chunk = chunk(offset);
            int at = position(offset);
            if ((int) INT.get(chunk, at) == id.length
                    && Arrays.equals(chunk, at + HEADER, at + HEADER + id.length, id, 0, id.length)) {
                return slot;
            }
        }
    }

    private int append(byte[] id) {
        int length = HEADER + id.length;
        byte[] chunk = chunks.get(chunks.size() - 1);
        if (chunk.length - used < length) {
            if (chunks.size() == MAX_CHUNKS) {
                throw new IllegalStateException("ledger partition holds more than 2 GB of command IDs");
            }
            chunk = new byte[Math.max(Math.min(chunk.length * 2, MAX_CHUNK), length)];
            chunks.add(chunk);
            used = 0;
        }
        int offset = (chunks.size() - 1) << CHUNK_BITS | used;
        INT.set(chunk, used, id.length);
        System.arraycopy(id, 0, chunk, used + HEADER, id.length);
        used += length;
        return offset;
    }

    private void grow() {
        int[] old = slots;
        slots = free(old.length * 2);
        for (int offset : old) {
            if (offset != FREE) {
                int slot = home(offset);
                while (slots[slot] != FREE) {
                    slot = next(slot);
                }
                slots[slot] = offset;
            }
        }
    }

    private int home(int offset) {
        byte[] chunk = chunk(offset);
        int at = position(offset);
        return hash(chunk, at + HEADER, (int) INT.get(chunk, at)) & (slots.length - 1);
    }

    private int next(int slot) {
        return (slot + 1) & (slots.length - 1);
    }

    private byte[] chunk(int offset) {
        return chunks.get(offset >>> CHUNK_BITS);
    }

    private static int position(int offset) {
        return offset & (MAX_CHUNK - 1);
    }

    private static int[] free(int capacity) {
        int[] table = new int[capacity];
        Arrays.fill(table, FREE);
        return table;
    }

    /** FNV-1a from a random basis, then a final mix so that the low bits (the slot) depend on every byte. */
    private int hash(byte[] bytes, int from, int length) {
        long h = seed;
        for (int i = from; i < from + length; i++) {
            h = (h ^ (bytes[i] & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) h;
    }
}
