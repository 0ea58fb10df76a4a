package io.issuetrakbridge.sandbox;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads a CreateNoteDTO the way ASP.NET Web API's model binding does, so that an invalid one is answered with
 * the same {@code ModelState} (the parameter is called {@code note}, so keys are {@code note} for the body as a
 * whole and {@code note.Field} per property, each with a list of messages):
 * <ul>
 * <li>property names match case-insensitively (Json.NET), unknown ones are ignored;</li>
 * <li>a value of the wrong type is a conversion error on its property (a numeric string is a number, as in
 * Json.NET; {@code 6.5} is not an integer);</li>
 * <li>IssueNumber, CreatedBy and NoteText are required (DataAnnotations: null, empty or only white space is
 * missing); the booleans default to false and CreatedDate may be absent (the server then stamps its own now).</li>
 * </ul>
 * Whether the issue exists, the user is active and the date fits the column is for {@link NotesApi} to say.
 */
final class CreateNoteBinder {

    /** The parameter name ASP.NET prefixes ModelState keys with. */
    static final String PARAMETER = "note";

    /**
     * A DTO as bound: {@code issueNumber} null and strings null when absent; {@code errors} empty when valid.
     */
    record Bound(Long issueNumber, String createdDate, String createdBy, boolean shouldSuppressEmail,
            String noteText, boolean isPrivate, boolean isRichText, Map<String, List<String>> errors) {
    }

    private final ObjectMapper json;

    CreateNoteBinder(ObjectMapper json) {
        this.json = json;
    }

    Bound bind(byte[] body) {
        Map<String, List<String>> errors = new LinkedHashMap<>();
        JsonNode root;
        try {
            root = body.length == 0 ? null : json.readTree(body);
        } catch (IOException e) {
            String detail = e instanceof com.fasterxml.jackson.core.JsonProcessingException p ? p.getOriginalMessage()
                    : e.getMessage();
            add(errors, PARAMETER, "The request body is not valid JSON: " + detail);
            return new Bound(null, null, null, false, null, false, false, errors);
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            add(errors, PARAMETER, "A CreateNoteDTO is required in the request body.");
            return new Bound(null, null, null, false, null, false, false, errors);
        }
        if (!root.isObject()) {
            add(errors, PARAMETER, "Cannot deserialize the current JSON " + root.getNodeType().name().toLowerCase(
                    Locale.ROOT) + " into type 'CreateNoteDTO' because the type requires a JSON object.");
            return new Bound(null, null, null, false, null, false, false, errors);
        }
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        root.properties().forEach(f -> fields.put(f.getKey().toLowerCase(Locale.ROOT), f.getValue()));
        Long issue = integer(fields, "IssueNumber", errors);
        String createdDate = date(fields, "CreatedDate", errors);
        String createdBy = required(text(fields, "CreatedBy", errors), "CreatedBy", errors);
        boolean suppress = bool(fields, "ShouldSuppressEmailForCreateOperation", errors);
        String noteText = required(text(fields, "NoteText", errors), "NoteText", errors);
        boolean isPrivate = bool(fields, "IsPrivate", errors);
        boolean isRichText = bool(fields, "IsRichText", errors);
        if (issue == null && !errors.containsKey(key("IssueNumber"))) {
            add(errors, key("IssueNumber"), "The IssueNumber field is required.");
        }
        return new Bound(issue, createdDate, createdBy, suppress, noteText, isPrivate, isRichText, errors);
    }

    static String key(String property) {
        return PARAMETER + "." + property;
    }

    static void add(Map<String, List<String>> errors, String key, String message) {
        errors.computeIfAbsent(key, k -> new ArrayList<>()).add(message);
    }

    private static Long integer(Map<String, JsonNode> fields, String name, Map<String, List<String>> errors) {
        JsonNode v = fields.get(name.toLowerCase(Locale.ROOT));
        if (v == null) {
            return null;
        }
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            return v.longValue();
        }
        if (v.isTextual() && v.asText().trim().matches("[+-]?\\d{1,10}")) {
            long value = Long.parseLong(v.asText().trim());
            if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
                return value;
            }
        }
        String message = v.isNull() ? "Error converting value {null} to type 'System.Int32'."
                : v.isTextual() ? "Could not convert string to integer: " + v.asText() + "."
                : v.isNumber() ? "Input string '" + v.asText() + "' is not a valid integer."
                : "Unexpected character encountered while parsing value: " + v + ".";
        add(errors, key(name), message + " Path '" + name + "'.");
        return null;
    }

    private static boolean bool(Map<String, JsonNode> fields, String name, Map<String, List<String>> errors) {
        JsonNode v = fields.get(name.toLowerCase(Locale.ROOT));
        if (v == null) {
            return false;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isTextual() && (v.asText().equalsIgnoreCase("true") || v.asText().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(v.asText());
        }
        add(errors, key(name), (v.isNull() ? "Error converting value {null} to type 'System.Boolean'."
                : "Could not convert to boolean: " + v + ".") + " Path '" + name + "'.");
        return false;
    }

    private static String text(Map<String, JsonNode> fields, String name, Map<String, List<String>> errors) {
        JsonNode v = fields.get(name.toLowerCase(Locale.ROOT));
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isContainerNode()) {
            add(errors, key(name), "Unexpected character encountered while parsing value: "
                    + (v.isArray() ? "[" : "{") + ". Path '" + name + "'.");
            return null;
        }
        return v.asText();
    }

    private static String date(Map<String, JsonNode> fields, String name, Map<String, List<String>> errors) {
        JsonNode v = fields.get(name.toLowerCase(Locale.ROOT));
        if (v == null || v.isNull() || v.isTextual() && v.asText().isBlank()) {
            // A DateTime? left empty: the server stamps the note itself.
            return null;
        }
        if (!v.isTextual()) {
            add(errors, key(name), "Unexpected token parsing date. Expected String, got "
                    + (v.isNumber() ? "Number" : v.getNodeType().name()) + ". Path '" + name + "'.");
            return null;
        }
        return v.asText();
    }

    private static String required(String value, String name, Map<String, List<String>> errors) {
        if ((value == null || value.isBlank()) && !errors.containsKey(key(name))) {
            add(errors, key(name), "The " + name + " field is required.");
        }
        return value;
    }
}
