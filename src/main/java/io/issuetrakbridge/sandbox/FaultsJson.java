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
            "createThenDropRate");

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
        return new Faults.Plan(
                wholeNumber(node, "latencyMs", p.latencyMs()),
                wholeNumber(node, "jitterMs", p.jitterMs()),
                unavailableFor == null ? p.unavailableUntilNanos() : Faults.deadline(Duration.ofMillis(unavailableFor)),
                fraction(node, "errorRate", p.errorRate()),
                fraction(node, "throttleRate", p.throttleRate()),
                throttleFor == null ? p.throttleUntilNanos() : Faults.deadline(Duration.ofMillis(throttleFor)),
                wholeNumber(node, "retryAfterSeconds", p.retryAfterSeconds()),
                fraction(node, "createThenDelayRate", p.createThenDelayRate()),
                wholeNumber(node, "createThenDelayMs", p.createThenDelayMs()),
                fraction(node, "createThenDropRate", p.createThenDropRate()));
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
        return node;
    }

    private static Long wholeNumber(JsonNode node, String name, Long current) {
        JsonNode value = node.get(name);
        if (value == null) {
            return current;
        }
        if (value.isNull()) {
            return 0L;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException(name + " must be a whole number, was " + value);
        }
        return value.longValue();
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
