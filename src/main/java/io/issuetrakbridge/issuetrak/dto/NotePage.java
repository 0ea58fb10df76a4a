package io.issuetrakbridge.issuetrak.dto;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The paged wrapper of {@code GET /api/v1/notes/issue/{n}}; v1 always returns one page. */
@RegisterForReflection // bound by Jackson at run time, also in the native image
@JsonIgnoreProperties(ignoreUnknown = true)
public record NotePage(
        @JsonProperty("IsPageIndexZeroBased") boolean isPageIndexZeroBased,
        @JsonProperty("PageIndex") int pageIndex,
        @JsonProperty("CountForPage") int countForPage,
        @JsonProperty("PageSize") int pageSize,
        @JsonProperty("TotalCount") int totalCount,
        @JsonProperty("Collection") List<ReadNote> collection) {
}
