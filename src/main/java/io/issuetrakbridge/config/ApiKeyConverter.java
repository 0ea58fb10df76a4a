package io.issuetrakbridge.config;

import java.util.Base64;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * Validates the key's shape at start-up (Issuetrak issues Base64 text) without ever echoing it.
 */
public class ApiKeyConverter implements Converter<ApiKey> {

    @Override
    public ApiKey convert(String value) {
        String trimmed = value == null ? "" : value.trim();
        if (trimmed.isEmpty()) {
            return null;
        }
        try {
            Base64.getDecoder().decode(trimmed);
        } catch (IllegalArgumentException e) {
            // Never include the value: a half-pasted secret is still a secret. Not IllegalArgumentException:
            // SmallRye wraps that one in SRCFG00039, whose message quotes the raw value.
            throw new IllegalStateException(
                    "issuetrak.api-key is not Base64 text (the key as Issuetrak shows it, e.g. 44 characters ending in '=')");
        }
        return ApiKey.of(trimmed);
    }
}
