package io.issuetrakbridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.issuetrakbridge.testing.MonitoringFiles;
import io.issuetrakbridge.testing.MonitoringFiles.Alert;
import io.issuetrakbridge.testing.MonitoringFiles.Query;

/**
 * CI check of {@code deploy/monitoring/}: the PrometheusRule wraps exactly the plain rules file, every alert
 * carries what an on-call engineer needs (severity, summary, description, a runbook section that exists in
 * the README) and has promtool tests that fire it and keep it silent, the ServiceMonitor scrapes the
 * management Service, the dashboard is provisioning-ready and shows every metric of the README's table, and
 * kustomize applies it all. The expressions themselves are checked by promtool ({@code .ci/check-monitoring})
 * and against a real Prometheus ({@code PrometheusScrapeTest}).
 */
class MonitoringManifestsTest {

    private static final Path DIR = MonitoringFiles.DIR;
    private static final Path README = Path.of("README.md");
    private static final Path PROMTOOL_TESTS = Path.of("src", "test", "monitoring", "issuetrak-bridge.rules.test.yaml");
    private static final String RUNBOOK = "https://git.example.com/issuetrak-bridge/blob/main/README.md#";
    private static final Pattern HEADING = Pattern.compile("^#+\\s+(.+?)\\s*$", Pattern.MULTILINE);
    /** A row of the README's metrics table about the bridge's own metrics. */
    private static final Pattern README_METRIC_ROW = Pattern.compile("^\\| `issuetrak_bridge_.*$", Pattern.MULTILINE);
    private static final Pattern METRIC = Pattern.compile("`(issuetrak_bridge_\\w+)");

    @Test
    void thePrometheusRuleWrapsExactlyThePlainRulesFile() {
        JsonNode rule = MonitoringFiles.read(DIR.resolve("prometheus-rule.yaml"));
        assertThat(rule.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(rule.path("kind").asText()).isEqualTo("PrometheusRule");
        assertThat(rule.at("/spec/groups")).as("prometheus-rule.yaml spec.groups vs issuetrak-bridge.rules.yaml groups")
                .isEqualTo(MonitoringFiles.read(MonitoringFiles.RULES).path("groups"));
    }

    @Test
    void everyAlertIsActionableAndHasARunbookSectionAndPromtoolTests() throws IOException {
        String readme = Files.readString(README);
        Set<String> anchors = new HashSet<>();
        Matcher heading = HEADING.matcher(readme);
        while (heading.find()) {
            anchors.add(githubAnchor(heading.group(1)));
        }
        JsonNode promtool = MonitoringFiles.read(PROMTOOL_TESTS);
        List<String> problems = new ArrayList<>();
        List<Alert> alerts = MonitoringFiles.alerts();
        Set<String> names = new TreeSet<>();
        for (Alert alert : alerts) {
            String where = "alert " + alert.name() + ": ";
            if (!names.add(alert.name()) || !alert.name().startsWith("IssuetrakBridge")) {
                problems.add(where + "names must be unique and start with IssuetrakBridge");
            }
            if (!Set.of("critical", "warning").contains(alert.labels().getOrDefault("severity", ""))) {
                problems.add(where + "labels.severity must be critical or warning");
            }
            for (String annotation : List.of("summary", "description", "runbook_url")) {
                if (alert.annotations().getOrDefault(annotation, "").isBlank()) {
                    problems.add(where + "annotations." + annotation + " missing");
                }
            }
            String runbook = alert.annotations().getOrDefault("runbook_url", "");
            String anchor = runbook.startsWith(RUNBOOK) ? runbook.substring(RUNBOOK.length()) : "";
            if (!anchor.equals(alert.name().toLowerCase(Locale.ROOT)) || !anchors.contains(anchor)) {
                problems.add(where + "runbook_url must be " + RUNBOOK + alert.name().toLowerCase(Locale.ROOT)
                        + ", a README heading named after the alert; is " + runbook);
            }
            boolean fires = false;
            boolean silent = false;
            for (JsonNode test : promtool.path("tests")) {
                for (JsonNode eval : test.path("alert_rule_test")) {
                    if (eval.path("alertname").asText().equals(alert.name())) {
                        fires |= eval.path("exp_alerts").size() > 0;
                        silent |= eval.path("exp_alerts").isEmpty();
                    }
                }
            }
            if (!fires || !silent) {
                problems.add(where + PROMTOOL_TESTS + " needs an evaluation where it fires and one where it does not");
            }
        }
        assertThat(names).as("the alerts the README's runbook promises").containsAll(List.of("IssuetrakBridgePaused",
                "IssuetrakBridgeDeadLetters", "IssuetrakBridgeLagGrowing", "IssuetrakBridgeNoProgress",
                "IssuetrakBridgeKafkaResends", "IssuetrakBridgeIssuetrakErrors", "IssuetrakBridgeOrderForced"));
        assertThat(problems).isEmpty();
    }

    @Test
    void theDashboardIsProvisioningReadyAndShowsEveryMetricOfTheReadme() throws IOException {
        JsonNode dashboard = MonitoringFiles.read(MonitoringFiles.DASHBOARD);
        List<String> problems = new ArrayList<>();
        if (!dashboard.path("uid").asText().equals("issuetrak-bridge") || dashboard.path("title").asText().isBlank()) {
            problems.add("dashboard: uid must be issuetrak-bridge (provisioning updates it in place) and a title set");
        }
        if (dashboard.has("id") && !dashboard.path("id").isNull()) {
            problems.add("dashboard: no id (Grafana assigns it; a fixed one clashes on import)");
        }
        boolean datasourceVariable = false;
        for (JsonNode variable : dashboard.at("/templating/list")) {
            datasourceVariable |= variable.path("name").asText().equals("datasource")
                    && variable.path("type").asText().equals("datasource")
                    && variable.path("query").asText().equals("prometheus");
            if (variable.path("type").asText().equals("query")) {
                checkDatasource("variable " + variable.path("name").asText(), variable.path("datasource"), problems);
            }
        }
        if (!datasourceVariable) {
            problems.add("dashboard: needs a template variable 'datasource' of type datasource, query prometheus");
        }
        Set<Integer> ids = new HashSet<>();
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panels::add);
        for (JsonNode panel : panels) {
            String where = "panel '" + panel.path("title").asText() + "'";
            if (!ids.add(panel.path("id").asInt(-1)) || !panel.path("gridPos").has("w")) {
                problems.add(where + ": needs a unique id and a gridPos");
            }
            if (panel.path("panels").size() > 0) {
                problems.add(where + ": keep rows expanded (panels at the top level), as checked here");
            }
            String type = panel.path("type").asText();
            if (type.equals("row") || type.equals("text")) {
                continue;
            }
            checkDatasource(where, panel.path("datasource"), problems);
            if (panel.path("targets").isEmpty()) {
                problems.add(where + ": no query");
            }
            for (JsonNode target : panel.path("targets")) {
                checkDatasource(where + " " + target.path("refId").asText(), target.path("datasource"), problems);
                if (target.path("expr").asText().isBlank()) {
                    problems.add(where + " " + target.path("refId").asText() + ": empty expr");
                }
            }
        }
        String queries = String.join("\n", MonitoringFiles.dashboardQueries().stream().map(Query::expr).toList());
        Matcher row = README_METRIC_ROW.matcher(Files.readString(README));
        int documented = 0;
        while (row.find()) {
            Matcher metric = METRIC.matcher(row.group());
            while (metric.find()) {
                documented++;
                String name = metric.group(1);
                if (!Pattern.compile("\\b" + name + "(_bucket|_count|_sum)?\\b").matcher(queries).find()) {
                    problems.add("dashboard: no panel shows " + name + " (README's metrics table)");
                }
            }
        }
        assertThat(documented).as("metrics in README's table").isGreaterThan(10);
        assertThat(problems).isEmpty();
    }

    @Test
    void kustomizeAppliesTheRuleTheServiceMonitorAndTheDashboardConfigMap() throws IOException {
        JsonNode kustomization = MonitoringFiles.read(DIR.resolve("kustomization.yaml"));
        Set<String> resources = new TreeSet<>();
        kustomization.path("resources").forEach(r -> resources.add(r.asText()));
        Set<String> manifests = new TreeSet<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).toList()) {
                String name = file.getFileName().toString();
                assertThat(name).as("use the .yaml extension").endsWith(".yaml");
                JsonNode doc = MonitoringFiles.read(file);
                // The plain rules file and Grafana's provisioning file are no Kubernetes objects.
                if (doc.has("kind") && !doc.path("kind").asText().equals("Kustomization")) {
                    manifests.add(name);
                }
            }
        }
        assertThat(resources).as("deploy/monitoring/kustomization.yaml resources")
                .isEqualTo(manifests).contains("prometheus-rule.yaml", "service-monitor.yaml");

        JsonNode generator = kustomization.path("configMapGenerator").get(0);
        assertThat(generator.path("files").get(0).asText()).isEqualTo(MonitoringFiles.DASHBOARD.getFileName().toString());
        // The Grafana sidecar (kube-prometheus-stack) loads ConfigMaps labelled grafana_dashboard: "1".
        assertThat(generator.at("/options/labels/grafana_dashboard").isTextual()).as("quoted label value").isTrue();
        assertThat(generator.at("/options/labels/grafana_dashboard").asText()).isEqualTo("1");
        assertThat(generator.at("/options/disableNameSuffixHash").asBoolean()).isTrue();

        JsonNode provider = MonitoringFiles.read(DIR.resolve("grafana-dashboard-provider.yaml"));
        assertThat(provider.path("apiVersion").asInt()).isEqualTo(1);
        assertThat(provider.at("/providers/0/type").asText()).isEqualTo("file");
        assertThat(provider.at("/providers/0/options/path").asText()).isNotBlank();
    }

    @Test
    void theServiceMonitorScrapesTheManagementService() {
        JsonNode monitor = MonitoringFiles.read(DIR.resolve("service-monitor.yaml"));
        JsonNode service = MonitoringFiles.read(Path.of("deploy", "service.yaml"));
        assertThat(monitor.path("kind").asText()).isEqualTo("ServiceMonitor");
        monitor.at("/spec/selector/matchLabels").properties().forEach(label -> assertThat(
                service.at("/metadata/labels").path(label.getKey()).asText())
                .as("Service label " + label.getKey()).isEqualTo(label.getValue().asText()));
        assertThat(monitor.at("/spec/selector/matchLabels").size()).isPositive();
        Set<String> ports = new HashSet<>();
        service.at("/spec/ports").forEach(p -> ports.add(p.path("name").asText()));
        for (JsonNode endpoint : monitor.at("/spec/endpoints")) {
            assertThat(ports).as("Service port names").contains(endpoint.path("port").asText());
            assertThat(endpoint.path("path").asText()).isEqualTo("/q/metrics");
        }
        assertThat(monitor.at("/spec/endpoints").size()).isPositive();
    }

    private static void checkDatasource(String where, JsonNode datasource, List<String> problems) {
        if (!datasource.path("uid").asText().equals("${datasource}")) {
            problems.add(where + ": datasource must be the ${datasource} variable, is " + datasource);
        }
    }

    /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
    static String githubAnchor(String heading) {
        String plain = Normalizer.normalize(heading, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        return plain.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }
}
