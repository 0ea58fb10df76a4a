package io.issuetrakbridge.messaging;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Value of a reply record: the note a command created (or had created before). */
@RegisterForReflection // serialized by Jackson at run time, also in the native image
@JsonPropertyOrder({ "CommandId", "IssueNumber", "NoteID" })
public record NoteCreatedReply(
        @JsonProperty("CommandId") String commandId,
        @JsonProperty("IssueNumber") long issueNumber,
        @JsonProperty("NoteID") long noteId) {
}
