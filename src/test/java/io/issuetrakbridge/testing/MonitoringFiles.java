package io.issuetrakbridge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** The alerting rules and the Grafana dashboard of {@code deploy/monitoring/}, as the tests read them. */
public final class MonitoringFiles {

    public static final Path DIR = Path.of("deploy", "monitoring");
    public static final Path RULES = DIR.resolve("issuetrak-bridge.rules.yaml");
    public static final Path DASHBOARD = DIR.resolve("issuetrak-bridge-dashboard.json");

    /** Duplicate keys would hide which of two rules an operator meant. */
    public static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    /** One alerting rule. */
    public record Alert(String name, String expr, Map<String, String> labels, Map<String, String> annotations) {
    }

    /** One query of the dashboard: a panel's target, or a template variable's query. */
    public record Query(String where, String expr) {
    }

    private MonitoringFiles() {
    }

    public static JsonNode read(Path file) {
        try {
            return file.toString().endsWith(".json") ? JSON.readTree(file.toFile()) : YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }

    /** Every alerting rule of the plain rules file, in order. */
    public static List<Alert> alerts() {
        List<Alert> alerts = new ArrayList<>();
        for (JsonNode group : read(RULES).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                alerts.add(new Alert(rule.path("alert").asText(), rule.path("expr").asText(), texts(rule.path("labels")),
                        texts(rule.path("annotations"))));
            }
        }
        return alerts;
    }

    /** Every panel target's {@code expr} (rows' nested panels included) and every query variable's query. */
    public static List<Query> dashboardQueries() {
        JsonNode dashboard = read(DASHBOARD);
        List<Query> queries = new ArrayList<>();
        panels(dashboard.path("panels"), queries);
        for (JsonNode variable : dashboard.at("/templating/list")) {
            if (variable.path("type").asText().equals("query")) {
                JsonNode query = variable.path("query");
                queries.add(new Query("variable " + variable.path("name").asText(),
                        query.isObject() ? query.path("query").asText() : query.asText()));
            }
        }
        return queries;
    }

    private static void panels(JsonNode panels, List<Query> queries) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(new Query("panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(),
                        target.path("expr").asText()));
            }
            panels(panel.path("panels"), queries);
        }
    }

    private static Map<String, String> texts(JsonNode object) {
        Map<String, String> result = new LinkedHashMap<>();
        object.properties().forEach(e -> result.put(e.getKey(), e.getValue().asText()));
        return result;
    }
}
