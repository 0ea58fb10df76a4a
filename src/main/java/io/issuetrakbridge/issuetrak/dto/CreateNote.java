package io.issuetrakbridge.issuetrak.dto;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Issuetrak's CreateNoteDTO, the body of {@code POST /api/v1/notes}. CreatedDate is the .NET
 * round-trip text the bridge fixes per command, so every retry sends identical content.
 */
@RegisterForReflection // serialized by Jackson at run time, also in the native image
@JsonPropertyOrder({ "IssueNumber", "CreatedDate", "CreatedBy", "ShouldSuppressEmailForCreateOperation", "NoteText",
        "IsPrivate", "IsRichText" })
public record CreateNote(
        @JsonProperty("IssueNumber") long issueNumber,
        @JsonProperty("CreatedDate") String createdDate,
        @JsonProperty("CreatedBy") String createdBy,
        @JsonProperty("ShouldSuppressEmailForCreateOperation") boolean shouldSuppressEmailForCreateOperation,
        @JsonProperty("NoteText") String noteText,
        @JsonProperty("IsPrivate") boolean isPrivate,
        @JsonProperty("IsRichText") boolean isRichText) {
}
