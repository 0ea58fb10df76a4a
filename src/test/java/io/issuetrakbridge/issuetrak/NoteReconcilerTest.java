package io.issuetrakbridge.issuetrak;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.issuetrakbridge.issuetrak.dto.CreateNote;
import io.issuetrakbridge.issuetrak.dto.ReadNote;

class NoteReconcilerTest {

    private static CreateNote sent(String createdBy, String text, String createdDate) {
        return new CreateNote(6, createdDate, createdBy, false, text, false, false);
    }

    private static ReadNote stored(long noteId, String createdBy, String text, String createdDate) {
        return new ReadNote(null, null, noteId, 6, createdDate, createdBy, createdBy, createdDate, text, false, false);
    }

    @Test
    void matchesWhatIssuetrakGivesBackForTheNoteSent() {
        // CreatedBy in the user's own casing, the date rounded to 1/300 s and trimmed.
        assertThat(NoteReconciler.matches(sent("admin", "Disk full", "2011-06-22T18:55:30.1250000"),
                stored(1, "Admin", "Disk full", "2011-06-22T18:55:30.127"))).isTrue();
    }

    @Test
    void noteTextMustBeEqualExactly() {
        assertThat(NoteReconciler.matches(sent("admin", "Disk full", "2011-06-22T18:55:30.47"),
                stored(1, "admin", "disk full", "2011-06-22T18:55:30.47"))).isFalse();
        assertThat(NoteReconciler.matches(sent("admin", "a &amp; b", "2011-06-22T18:55:30.47"),
                stored(1, "admin", "a & b", "2011-06-22T18:55:30.47"))).isFalse();
    }

    @Test
    void anotherUserOrDateIsAnotherNote() {
        assertThat(NoteReconciler.matches(sent("admin", "t", "2011-06-22T18:55:30.47"),
                stored(1, "admin2", "t", "2011-06-22T18:55:30.47"))).isFalse();
        assertThat(NoteReconciler.matches(sent("admin", "t", "2011-06-22T18:55:30.47"),
                stored(1, null, "t", "2011-06-22T18:55:30.47"))).isFalse();
        assertThat(NoteReconciler.matches(sent("admin", "t", "2011-06-22T18:55:30.47"),
                stored(1, "admin", "t", "2011-06-22T18:55:30.48"))).isFalse();
    }

    @Test
    void aNoteAnotherCommandClaimedIsNeverAdopted() {
        // Two commands of identical content: each must get its own note, never the other's.
        CreateNote note = sent("admin", "Restarted", "2014-08-22T12:11:30.0625");
        List<ReadNote> page = List.of(
                stored(7, "Admin", "Restarted", "2014-08-22T12:11:30.063"),
                stored(5, "Admin", "Restarted", "2014-08-22T12:11:30.063"),
                stored(6, "Admin", "Something else", "2014-08-22T12:11:30.063"));
        assertThat(NoteReconciler.choose(note, page, Set.of())).isEqualTo(Optional.of(5L));
        assertThat(NoteReconciler.choose(note, page, Set.of(5L))).isEqualTo(Optional.of(7L));
        assertThat(NoteReconciler.choose(note, page, Set.of(5L, 7L))).isEmpty();
        assertThat(NoteReconciler.choose(note, List.of(page.get(1)), Set.of(5L))).isEmpty();
    }
}
