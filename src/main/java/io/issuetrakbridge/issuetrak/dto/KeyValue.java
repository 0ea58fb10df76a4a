package io.issuetrakbridge.issuetrak.dto;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Issuetrak's {@code KeyValuePair[String,Object]}, used by Metadata and ExtensionData. */
@RegisterForReflection // bound by Jackson at run time, also in the native image
public record KeyValue(@JsonProperty("Key") String key, @JsonProperty("Value") Object value) {
}
