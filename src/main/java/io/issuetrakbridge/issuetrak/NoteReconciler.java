package io.issuetrakbridge.issuetrak;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.issuetrakbridge.issuetrak.dto.CreateNote;
import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.smallrye.mutiny.Uni;

/**
 * Answers "does the note this command would create already exist?" after an outcome that may or
 * may not have created it. Issuetrak has no idempotency key, so the match is on content: the same
 * CreatedBy, NoteText and CreatedDate. The bridge fixes CreatedDate per command (the record's
 * timestamp when the producer gives none), which makes that triple specific to one command; Issuetrak
 * rounds and may shift the date it stores, so dates match by {@link StoredDateRule}, and a NoteID another
 * command has claimed is never adopted (two commands of identical content then get a note each).
 */
@ApplicationScoped
public class NoteReconciler {

    private final IssuetrakClient client;

    public NoteReconciler(IssuetrakClient client) {
        this.client = client;
    }

    /**
     * @param note what the command sends
     * @param claimed NoteIDs other commands already own: never adopted, so two commands with
     *        identical content cannot both claim one note
     * @return the lowest unclaimed matching NoteID, if any
     */
    public Uni<Optional<Long>> findExisting(CreateNote note, Set<Long> claimed) {
        return findExisting(note, claimed, CallContext.of(null, note.issueNumber()));
    }

    /** As {@link #findExisting(CreateNote, Set)}, for the command it serves (log lines, trace context). */
    public Uni<Optional<Long>> findExisting(CreateNote note, Set<Long> claimed, CallContext command) {
        return client.notesForIssue(note.issueNumber(), command)
                .map(page -> choose(note, page.collection() == null ? List.of() : page.collection(), claimed));
    }

    /** The lowest NoteID among {@code stored} that matches {@code note} and no other command has claimed. */
    static Optional<Long> choose(CreateNote note, List<ReadNote> stored, Set<Long> claimed) {
        return stored.stream()
                .filter(existing -> matches(note, existing))
                .map(ReadNote::noteId)
                .filter(id -> !claimed.contains(id))
                .min(Comparator.naturalOrder());
    }

    /**
     * Same note: CreatedBy equal ignoring case (Issuetrak gives back the user's own casing), NoteText equal
     * (Issuetrak stores it verbatim) and CreatedDate as {@link StoredDateRule} allows.
     */
    static boolean matches(CreateNote sent, ReadNote stored) {
        return sent.createdBy().equalsIgnoreCase(stored.createdBy() == null ? "" : stored.createdBy())
                && sent.noteText().equals(stored.noteText())
                && StoredDateRule.matches(sent.createdDate(), stored.createdDate());
    }
}
