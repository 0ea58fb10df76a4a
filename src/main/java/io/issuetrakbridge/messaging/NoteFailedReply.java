package io.issuetrakbridge.messaging;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Value of an error record.
 *
 * @param issueNumber present when the command had a usable IssueNumber
 * @param status the HTTP status when Issuetrak answered
 * @param retryable whether the same command could succeed later (e.g. replayed once Issuetrak is back)
 * @param attempts sends to Issuetrak made for this command (0 for VALIDATION)
 */
@RegisterForReflection // serialized by Jackson at run time, also in the native image
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "CommandId", "IssueNumber", "Category", "Status", "Message", "Retryable", "Attempts" })
public record NoteFailedReply(
        @JsonProperty("CommandId") String commandId,
        @JsonProperty("IssueNumber") Long issueNumber,
        @JsonProperty("Category") String category,
        @JsonProperty("Status") Integer status,
        @JsonProperty("Message") String message,
        @JsonProperty("Retryable") boolean retryable,
        @JsonProperty("Attempts") int attempts) {
}
