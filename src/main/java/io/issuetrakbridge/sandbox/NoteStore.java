package io.issuetrakbridge.sandbox;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

import io.issuetrakbridge.issuetrak.dto.CreateNote;
import io.issuetrakbridge.issuetrak.dto.ReadNote;

/**
 * The sandbox's notes, in memory. Lock-free so the event loop never waits and tests can read it from
 * their own thread. NoteIDs only ever grow, even across {@link #clear()}, so a NoteID is never reused
 * and exactly-once tests cannot be fooled by an old note.
 */
public final class NoteStore {

    private final AtomicLong lastNoteId = new AtomicLong();
    private final AtomicLong created = new AtomicLong();
    private final ConcurrentMap<Long, ReadNote> byId = new ConcurrentHashMap<>();
    private final ConcurrentMap<Long, Queue<ReadNote>> byIssue = new ConcurrentHashMap<>();

    /**
     * Stores a note as given: the API hands it over as Issuetrak would store it (CreatedDate as the
     * {@code datetime} column keeps it, CreatedBy in the user's own casing, NoteText untouched). Metadata is
     * left empty; the API adds it per response.
     */
    public ReadNote create(CreateNote note) {
        long id = lastNoteId.incrementAndGet();
        ReadNote stored = new ReadNote(List.of(), List.of(), id, note.issueNumber(), note.createdDate(),
                note.createdBy(), null, null, note.noteText(), note.isPrivate(), note.isRichText());
        // Index by issue first: a reader that finds the id must also find it under its issue.
        byIssue.computeIfAbsent(note.issueNumber(), n -> new ConcurrentLinkedQueue<>()).add(stored);
        byId.put(id, stored);
        created.incrementAndGet();
        return stored;
    }

    public Optional<ReadNote> get(long noteId) {
        return Optional.ofNullable(byId.get(noteId));
    }

    /** The notes of one issue in creation order. */
    public List<ReadNote> forIssue(long issueNumber) {
        Queue<ReadNote> notes = byIssue.get(issueNumber);
        return notes == null ? List.of() : List.copyOf(notes);
    }

    /** Every stored note, by NoteID. */
    public List<ReadNote> all() {
        List<ReadNote> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparingLong(ReadNote::noteId));
        return all;
    }

    /** Notes stored now. */
    public int size() {
        return byId.size();
    }

    /** Notes created since start, including cleared ones. */
    public long createdCount() {
        return created.get();
    }

    /** Forgets every note; NoteIDs keep increasing from where they were. */
    public void clear() {
        byId.clear();
        byIssue.clear();
    }
}
