package io.issuetrakbridge.observability;

import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.issuetrakbridge.messaging.NotePipelineTest;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectCommandTopics;
import io.issuetrakbridge.testing.InjectSandbox;
import io.issuetrakbridge.testing.MonitoringFiles;
import io.issuetrakbridge.testing.MonitoringFiles.Alert;
import io.issuetrakbridge.testing.MonitoringFiles.Query;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The dashboard and the alerts of {@code deploy/monitoring/} against a real Prometheus scraping this bridge:
 * once commands have succeeded, failed and been retried, every dashboard query and alert expression must
 * evaluate, and every metric it names must be among the scraped series, with every label it matches on or
 * groups by. A query that merely returns nothing would not show a misspelt metric, so the names are
 * checked one by one against Prometheus' own series API. Prometheus also loads the rules file and must
 * evaluate every rule without error.
 * <p>
 * Needs the {@code prometheus} binary (Debian package {@code prometheus}, installed by {@code .ci/run}):
 * fails without it in CI ({@code CI=true}), skips with a warning elsewhere.
 */
@QuarkusTest
@TestProfile(ObservabilityProfile.class)
public class PrometheusScrapeTest {

    /** Grafana's variables, as the dashboard would set them for this Prometheus. */
    private static final Map<String, String> VARIABLES = Map.of(
            "__rate_interval", "1m",
            "__interval", "1m",
            "__range", "5m",
            "job", PrometheusServer.JOB,
            "instance", ".+");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)}|\\[\\[(\\w+)]]|\\$(\\w+)");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*(\\w+)\\s*\\)\\s*$",
            Pattern.DOTALL);
    private static final Pattern TEMPLATE_LABEL = Pattern.compile("\\$labels\\.(\\w+)");

    @InjectCommandTopics
    CommandTopics topics;

    @InjectSandbox
    SandboxServer sandbox;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    MeterRegistry registry;

    @Test
    void everyDashboardQueryAndAlertUsesOnlyMetricsAndLabelsTheBridgeExports(@TempDir Path dir) throws Exception {
        requirePrometheus();
        sendCommandsThatSucceedFailAndRetry();

        try (PrometheusServer prometheus = PrometheusServer.start(dir,
                management.getHost() + ":" + management.getPort(), MonitoringFiles.RULES)) {
            Awaitility.await("Prometheus scrapes the bridge").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500)).until(prometheus::targetUp);
            // Scraped after the traffic: the labelled series exist with the values it produced.
            Awaitility.await("the traffic's series in Prometheus").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                        for (String series : List.of("issuetrak_bridge_notes_created_total{how=\"created\"} >= 1",
                                "issuetrak_bridge_commands_failed_total{category=\"VALIDATION\"} >= 1",
                                "issuetrak_bridge_retries_total{category=\"UNAVAILABLE\"} >= 1",
                                "issuetrak_bridge_issuetrak_requests_seconds_count{operation=\"create\",status=\"503\"}",
                                "issuetrak_bridge_command_latency_seconds_count{outcome=\"created\"}",
                                "issuetrak_bridge_consumer_lag >= 0",
                                "issuetrak_bridge_paused{reason=\"UNAUTHORIZED\"} == 0",
                                // IssuetrakBridgeOrderForced needs both series before the first forced command.
                                "issuetrak_bridge_routing_order_forced_total{reason=\"max-wait\"} >= 0",
                                "issuetrak_bridge_routing_order_forced_total{reason=\"stall\"} >= 0",
                                // The profile's budget rule: its series, its 429 counter at zero, the waits.
                                "issuetrak_bridge_budget_limit{rule=\"1000/1s\"} > 0",
                                "issuetrak_bridge_budget_throttled_total{rule=\"1000/1s\"} == 0",
                                "issuetrak_bridge_budget_wait_seconds_count{operation=\"create\"} >= 1",
                                "issuetrak_bridge_issuetrak_concurrency_limit >= 1")) {
                            assertThat(prometheus.query(series)).as(series).isNotEmpty();
                        }
                    });

            ExportedSeries exported = new ExportedSeries(prometheus);
            List<String> problems = new ArrayList<>();
            List<Alert> alerts = MonitoringFiles.alerts();
            assertThat(alerts).as("alerts in %s", MonitoringFiles.RULES).hasSizeGreaterThanOrEqualTo(7);
            for (Alert alert : alerts) {
                String where = "alert " + alert.name();
                Set<String> labels = check(where, alert.expr(), prometheus, exported, problems);
                alert.annotations().forEach((name, text) -> {
                    Matcher used = TEMPLATE_LABEL.matcher(text);
                    while (used.find()) {
                        if (!labels.contains(used.group(1))) {
                            problems.add(where + ": annotation " + name + " uses $labels." + used.group(1)
                                    + ", which none of its metrics has");
                        }
                    }
                });
            }
            List<Query> queries = MonitoringFiles.dashboardQueries();
            assertThat(queries).as("queries in %s", MonitoringFiles.DASHBOARD).hasSizeGreaterThan(20);
            for (Query query : queries) {
                String expr = substitute(query.where(), query.expr(), problems);
                Matcher labelValues = LABEL_VALUES.matcher(expr);
                if (labelValues.matches()) {
                    Set<String> labels = check(query.where(), labelValues.group(1), prometheus, exported, problems);
                    if (!labels.contains(labelValues.group(2))) {
                        problems.add(query.where() + ": label_values of " + labelValues.group(2)
                                + ", which its metric does not have");
                    }
                } else {
                    check(query.where(), expr, prometheus, exported, problems);
                }
            }
            assertThat(problems).as("metrics and labels the bridge does not export").isEmpty();

            // The checks above can fail: a misspelt metric, matcher label and grouping label are each reported.
            List<String> planted = new ArrayList<>();
            check("planted", "sum by (categroy) (rate(issuetrak_bridge_notes_create_total[1m]))"
                    + " + on (job) issuetrak_bridge_paused{reasons=\"UNAVAILABLE\"}", prometheus, exported, planted);
            assertThat(planted).hasSize(3).anySatisfy(p -> assertThat(p).contains("issuetrak_bridge_notes_create_total"))
                    .anySatisfy(p -> assertThat(p).contains("reasons")).anySatisfy(p -> assertThat(p).contains("categroy"));

            // Prometheus evaluates every rule of the file on the bridge's series without error.
            Set<String> names = new LinkedHashSet<>(alerts.stream().map(Alert::name).toList());
            Awaitility.await("Prometheus evaluates the rules").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                        Map<String, String> health = new LinkedHashMap<>();
                        for (JsonNode group : prometheus.api("rules", Map.of()).path("groups")) {
                            for (JsonNode rule : group.path("rules")) {
                                health.put(rule.path("name").asText(), rule.path("health").asText()
                                        + " " + rule.path("lastError").asText());
                            }
                        }
                        assertThat(health.keySet()).containsExactlyElementsOf(names);
                        assertThat(health).allSatisfy((name, state) -> assertThat(state).as(name).isEqualTo("ok "));
                    });
        }
    }

    /**
     * Evaluates {@code expr} (it must parse and evaluate) and checks each metric and label it names;
     * returns the labels of its metrics.
     */
    private static Set<String> check(String where, String expr, PrometheusServer prometheus, ExportedSeries exported,
            List<String> problems) {
        try {
            prometheus.query(expr);
        } catch (PrometheusServer.PrometheusError e) {
            problems.add(where + ": Prometheus rejects `" + expr + "`: " + e.getMessage());
        }
        PromQlReferences refs = PromQlReferences.of(expr);
        Set<String> labels = new LinkedHashSet<>();
        if (refs.selectors().isEmpty()) {
            problems.add(where + ": names no metric: `" + expr + "`");
        }
        for (PromQlReferences.Selector selector : refs.selectors()) {
            if (selector.metric() == null || !exported.metrics().contains(selector.metric())) {
                problems.add(where + ": metric " + selector.metric() + " is not exported by the bridge");
                continue;
            }
            Set<String> has = exported.labels(selector.metric());
            labels.addAll(has);
            for (String label : selector.labels()) {
                if (!has.contains(label)) {
                    problems.add(where + ": " + selector.metric() + " has no label " + label + " (has " + has + ")");
                }
            }
        }
        for (String label : refs.groupingLabels()) {
            if (!labels.contains(label)) {
                problems.add(where + ": groups or matches by " + label + ", which none of its metrics has");
            }
        }
        return labels;
    }

    /** Replaces Grafana's variables; any left unknown is a problem. */
    private static String substitute(String where, String expr, List<String> problems) {
        Matcher variable = VARIABLE.matcher(expr);
        StringBuilder result = new StringBuilder();
        while (variable.find()) {
            String name = variable.group(1) != null ? variable.group(1)
                    : variable.group(2) != null ? variable.group(2) : variable.group(3);
            String value = VARIABLES.get(name);
            if (value == null) {
                problems.add(where + ": unknown variable $" + name);
                value = variable.group();
            }
            variable.appendReplacement(result, Matcher.quoteReplacement(value));
        }
        return variable.appendTail(result).toString();
    }

    /**
     * One command answered with a note, one invalid (error and dead letter), one forwarded to its home partition,
     * one retried after a 503.
     */
    private void sendCommandsThatSucceedFailAndRetry() {
        String ok = "prom-ok-" + UUID.randomUUID();
        String bad = "prom-bad-" + UUID.randomUUID();
        String retried = "prom-retried-" + UUID.randomUUID();
        String forwarded = "prom-forwarded-" + UUID.randomUUID();
        topics.send("51", NotePipelineTest.command(ok, 51, "scraped"));
        topics.send("52", "{\"CommandId\": \"" + bad + "\", \"IssueNumber\": 52}");
        // Issue 31's home among the 3 partitions is 1 (murmur2("31") = 1765490875): on 0 it is forwarded there.
        topics.send(0, "31", NotePipelineTest.command(forwarded, 31, "forwarded"));
        topics.await("replies", commandIds(List.of(ok, forwarded)), 2);
        topics.await("errors", commandIds(List.of(bad)), 1);
        // 503s until the bridge has retried once: a fixed window could close before the first attempt.
        double retriesBefore = unavailableRetries();
        sandbox.faults().unavailableFor(Duration.ofMinutes(1));
        try {
            topics.send("53", NotePipelineTest.command(retried, 53, "after 503s"));
            Awaitility.await("a retry after a 503").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                    .until(() -> unavailableRetries() > retriesBefore);
        } finally {
            sandbox.faults().reset();
        }
        topics.await("replies", commandIds(List.of(retried)), 1);
    }

    private double unavailableRetries() {
        return registry.get("issuetrak.bridge.retries").tag("category", "UNAVAILABLE").counter().count();
    }

    private static void requirePrometheus() {
        if (PrometheusServer.installed()) {
            return;
        }
        String message = "prometheus is not installed (apt-get install --no-install-recommends prometheus): "
                + "the dashboard and alert expressions were NOT checked against a real Prometheus";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message);
        }
        System.err.println("\n*** SKIPPED PrometheusScrapeTest: " + message + " ***\n");
        Assumptions.abort(message);
    }

    /** The metric names and their labels among the series Prometheus scraped from the bridge. */
    private static final class ExportedSeries {

        private final PrometheusServer prometheus;
        private final Set<String> metrics = new LinkedHashSet<>();
        private final Map<String, Set<String>> labels = new HashMap<>();

        ExportedSeries(PrometheusServer prometheus) {
            this.prometheus = prometheus;
            prometheus.api("label/__name__/values", Map.of("match[]", "{job=\"" + PrometheusServer.JOB + "\"}"))
                    .forEach(name -> metrics.add(name.asText()));
        }

        Set<String> metrics() {
            return metrics;
        }

        Set<String> labels(String metric) {
            return labels.computeIfAbsent(metric, m -> {
                Set<String> names = new LinkedHashSet<>();
                prometheus.api("series", Map.of("match[]", m + "{job=\"" + PrometheusServer.JOB + "\"}"))
                        .forEach(series -> series.fieldNames().forEachRemaining(names::add));
                names.remove("__name__");
                return names;
            });
        }
    }
}
