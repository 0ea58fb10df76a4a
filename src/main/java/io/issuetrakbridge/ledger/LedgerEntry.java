package io.issuetrakbridge.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A command's state in the ledger topic, keyed by command ID.
 *
 * @param state PENDING: a POST may have been sent, so the note may exist (reconcile before sending
 *        again); CREATED: the note exists with {@code noteId}
 * @param issueNumber the command's issue, so reconciliation can tell which NoteIDs are taken
 * @param noteId set when CREATED
 */
@RegisterForReflection // bound by Jackson at run time, also in the native image
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LedgerEntry(
        @JsonProperty("State") State state,
        @JsonProperty("IssueNumber") long issueNumber,
        @JsonProperty("NoteID") Long noteId) {

    /** Where a command stands. */
    public enum State {
        PENDING,
        CREATED
    }

    static LedgerEntry pending(long issueNumber) {
        return new LedgerEntry(State.PENDING, issueNumber, null);
    }

    static LedgerEntry created(long issueNumber, long noteId) {
        return new LedgerEntry(State.CREATED, issueNumber, noteId);
    }

    public boolean isCreated() {
        return state == State.CREATED;
    }
}
