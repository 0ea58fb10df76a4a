package io.issuetrakbridge.observability;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Tracing on (as an operator turns it on), spans kept in memory by {@link RecordedSpans} instead of an
 * OTLP collector, and debug lines of the bridge's own loggers. One profile for the observability
 * tests, so they share one application start.
 * <p>
 * A small fetch window (4 commands in flight, none parked beyond them, 10 records a poll) so that a backlog of a few hundred
 * commands, held back by a pause, stays visible as consumer lag ({@link MetricsEndpointTest}).
 * <p>
 * A request budget far above what the tests send, so that its per-rule series exist for the dashboard's
 * queries ({@link PrometheusScrapeTest}) without slowing a command down.
 */
public class ObservabilityProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.otel.sdk.disabled", "false",
                "quarkus.log.category.\"io.issuetrakbridge\".level", "DEBUG",
                "bridge.max-in-flight", "4",
                "bridge.scheduling.max-parked", "0",
                "mp.messaging.incoming.commands.max.poll.records", "10",
                "issuetrak.budget.rules", "1000/1s");
    }
}
