package io.issuetrakbridge.messaging;

import io.issuetrakbridge.issuetrak.dto.CreateNote;

/**
 * A validated "add this note to issue N" command. {@code note} is exactly what is sent to Issuetrak,
 * CreatedDate included, so every attempt and every reconciliation sees identical content.
 */
public record NoteCommand(String commandId, CreateNote note) {

    public long issueNumber() {
        return note.issueNumber();
    }
}
