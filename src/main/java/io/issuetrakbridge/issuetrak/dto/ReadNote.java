package io.issuetrakbridge.issuetrak.dto;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Issuetrak's ReadNoteDTO. Dates stay text: Issuetrak omits the zone and we compare them verbatim. */
@RegisterForReflection // bound by Jackson at run time, also in the native image
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReadNote(
        @JsonProperty("ExtensionData") List<KeyValue> extensionData,
        @JsonProperty("Metadata") List<KeyValue> metadata,
        @JsonProperty("NoteID") long noteId,
        @JsonProperty("IssueNumber") long issueNumber,
        @JsonProperty("CreatedDate") String createdDate,
        @JsonProperty("CreatedBy") String createdBy,
        @JsonProperty("ModifiedBy") String modifiedBy,
        @JsonProperty("ModifiedDate") String modifiedDate,
        @JsonProperty("NoteText") String noteText,
        @JsonProperty("IsPrivate") boolean isPrivate,
        @JsonProperty("IsRichText") boolean isRichText) {
}
