package io.issuetrakbridge.resilience;

import io.issuetrakbridge.issuetrak.IssuetrakException;

/**
 * How delivering one command to Issuetrak ended.
 *
 * @param noteId the note's ID when created (or found by reconciliation), else null
 * @param failure the last failure when given up, else null
 * @param attempts sends to Issuetrak made for this command
 * @param reconciled whether the NoteID was adopted from an existing note rather than a 201
 */
public record DeliveryResult(Long noteId, IssuetrakException failure, int attempts, boolean reconciled) {

    public boolean created() {
        return noteId != null;
    }
}
