package io.issuetrakbridge.sandbox;

import java.time.Duration;
import java.util.Iterator;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@link Faults.Plan} as the admin endpoint reads and writes it: a flat JSON object, windows as the
 * milliseconds left. A PUT merges: fields present replace the current value (null means 0), absent ones stay.
 */
final class FaultsJson {

    static final Set<String> FIELDS = Set.of("latencyMs", "jitterMs", "unavailableForMs", "errorRate",
            "throttleRate", "throttleForMs", "retryAfterSeconds", "createThenDelayRate", "createThenDelayMs",
            "createThenDropRate", "htmlErrorRate", "htmlErrorStatus", "trickleRate", "trickleMs", "holdCreates", "forbidden", "createErrors", "dropRate");

    private final ObjectMapper json;

    FaultsJson(ObjectMapper json) {
        this.json = json;
    }

    /**
     * The plan {@code body} asks for, on top of {@code current}.
     *
     * @throws IllegalArgumentException naming the field at fault
     */
    Faults.Plan merge(Faults.Plan current, byte[] body) {
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (java.io.IOException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("The body must be a JSON object of fault fields: " + FIELDS);
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException("Unknown fault field '" + name + "'. Known: " + FIELDS);
            }
        }
        Faults.Plan p = current;
        Long unavailableFor = wholeNumber(node, "unavailableForMs", null);
        Long throttleFor = wholeNumber(node, "throttleForMs", null);
        Faults.Editor next = p.edit()
                .latency(wholeNumber(node, "latencyMs", p.latencyMs()), wholeNumber(node, "jitterMs", p.jitterMs()))
                .errorRate(fraction(node, "errorRate", p.errorRate()))
                .throttleRate(fraction(node, "throttleRate", p.throttleRate()))
                .retryAfterSeconds(wholeNumber(node, "retryAfterSeconds", p.retryAfterSeconds()))
                .createThenDelay(fraction(node, "createThenDelayRate", p.createThenDelayRate()),
                        wholeNumber(node, "createThenDelayMs", p.createThenDelayMs()))
                .createThenDropRate(fraction(node, "createThenDropRate", p.createThenDropRate()))
                .htmlErrors(fraction(node, "htmlErrorRate", p.htmlErrorRate()),
                        Math.toIntExact(wholeNumber(node, "htmlErrorStatus", (long) p.htmlErrorStatus(),
                                Faults.Plan.DEFAULT_HTML_ERROR_STATUS)))
                .trickle(fraction(node, "trickleRate", p.trickleRate()), wholeNumber(node, "trickleMs", p.trickleMs()))
                .holdCreates(flag(node, "holdCreates", p.holdCreates()))
                .forbidden(flag(node, "forbidden", p.forbidden()))
                .createErrors(wholeNumber(node, "createErrors", p.createErrors()))
                .dropRate(fraction(node, "dropRate", p.dropRate()));
        if (unavailableFor != null) {
            next.unavailableFor(Duration.ofMillis(unavailableFor));
        }
        if (throttleFor != null) {
            next.throttleFor(Duration.ofMillis(throttleFor));
        }
        return next.build();
    }

    ObjectNode render(Faults.Plan p) {
        ObjectNode node = json.createObjectNode();
        node.put("latencyMs", p.latencyMs());
        node.put("jitterMs", p.jitterMs());
        node.put("unavailableForMs", p.unavailableRemainingMs());
        node.put("errorRate", p.errorRate());
        node.put("throttleRate", p.throttleRate());
        node.put("throttleForMs", p.throttleRemainingMs());
        node.put("retryAfterSeconds", p.retryAfterSeconds());
        node.put("createThenDelayRate", p.createThenDelayRate());
        node.put("createThenDelayMs", p.createThenDelayMs());
        node.put("createThenDropRate", p.createThenDropRate());
        node.put("htmlErrorRate", p.htmlErrorRate());
        node.put("htmlErrorStatus", p.htmlErrorStatus());
        node.put("trickleRate", p.trickleRate());
        node.put("trickleMs", p.trickleMs());
        node.put("holdCreates", p.holdCreates());
        node.put("forbidden", p.forbidden());
        node.put("createErrors", p.createErrors());
        node.put("dropRate", p.dropRate());
        return node;
    }

    private static Long wholeNumber(JsonNode node, String name, Long current) {
        return wholeNumber(node, name, current, 0L);
    }

    /** The field's whole number; {@code current} when absent, {@code reset} when null. */
    private static Long wholeNumber(JsonNode node, String name, Long current, long reset) {
        JsonNode value = node.get(name);
        if (value == null) {
            return current;
        }
        if (value.isNull()) {
            return reset;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException(name + " must be a whole number, was " + value);
        }
        return value.longValue();
    }

    private static boolean flag(JsonNode node, String name, boolean current) {
        JsonNode value = node.get(name);
        if (value == null) {
            return current;
        }
        if (value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new IllegalArgumentException(name + " must be true or false, was " + value);
        }
        return value.booleanValue();
    }

    private static double fraction(JsonNode node, String name, double current) {
        JsonNode value = node.get(name);
        if (value == null) {
            return current;
        }
        if (value.isNull()) {
            return 0;
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException(name + " must be a number between 0 and 1, was " + value);
        }
        return value.doubleValue();
    }
}
