package io.issuetrakbridge.issuetrak;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
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
 * timestamp when the producer gives none), which makes that triple specific to one command.
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
                .map(page -> page.collection() == null ? Optional.<Long>empty()
                        : page.collection().stream()
                                .filter(existing -> matches(note, existing))
                                .map(ReadNote::noteId)
                                .filter(id -> !claimed.contains(id))
                                .min(Comparator.naturalOrder()));
    }

    static boolean matches(CreateNote sent, ReadNote stored) {
        return sent.createdBy().equalsIgnoreCase(nullToEmpty(stored.createdBy()))
                && sent.noteText().equals(stored.noteText())
                && sameInstant(sent.createdDate(), stored.createdDate());
    }

    /**
     * Issuetrak may store fewer fractional digits or drop the offset it was given; compare as
     * local date-times at millisecond precision rather than as text.
     */
    static boolean sameInstant(String sent, String stored) {
        if (sent == null || stored == null) {
            return sent == stored;
        }
        if (sent.equals(stored)) {
            return true;
        }
        Optional<LocalDateTime> a = parse(sent);
        Optional<LocalDateTime> b = parse(stored);
        return a.isPresent() && b.isPresent()
                && a.get().withNano(a.get().getNano() / 1_000_000 * 1_000_000)
                        .equals(b.get().withNano(b.get().getNano() / 1_000_000 * 1_000_000));
    }

    private static Optional<LocalDateTime> parse(String text) {
        try {
            return Optional.of(OffsetDateTime.parse(text).toLocalDateTime());
        } catch (DateTimeParseException notOffset) {
            try {
                return Optional.of(LocalDateTime.parse(text.endsWith("Z") ? text.substring(0, text.length() - 1) : text,
                        DateTimeFormatter.ISO_LOCAL_DATE_TIME));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
