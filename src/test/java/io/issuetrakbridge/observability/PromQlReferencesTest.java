package io.issuetrakbridge.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.Test;

import io.issuetrakbridge.observability.PromQlReferences.Selector;

/** What {@link PromQlReferences} finds in expressions of the kinds the dashboard and the alerts use. */
class PromQlReferencesTest {

    @Test
    void functionsAggregationsAndRangesAreNotMetrics() {
        PromQlReferences refs = PromQlReferences.of("histogram_quantile(0.99, sum by (le, outcome) "
                + "(rate(issuetrak_bridge_command_latency_seconds_bucket{job=~\"bridge\", instance=~\".+\"}[1m])))");
        assertThat(refs.selectors()).containsExactly(
                new Selector("issuetrak_bridge_command_latency_seconds_bucket", Set.of("job", "instance")));
        assertThat(refs.groupingLabels()).containsExactly("le", "outcome");
    }

    @Test
    void setOperatorsVectorMatchingAndBareMetrics() {
        PromQlReferences refs = PromQlReferences.of("""
                (
                  sum without (partition) (deriv(issuetrak_bridge_consumer_lag[10m])) > 0
                  and sum without (partition) (issuetrak_bridge_consumer_lag) > 5e2
                )
                unless on (job, instance) group_left (reason) issuetrak_bridge_paused offset 5m == bool 1
                """);
        assertThat(refs.selectors()).containsExactly(new Selector("issuetrak_bridge_consumer_lag", Set.of()),
                new Selector("issuetrak_bridge_consumer_lag", Set.of()), new Selector("issuetrak_bridge_paused", Set.of()));
        assertThat(refs.groupingLabels()).containsExactly("partition", "job", "instance", "reason");
    }

    @Test
    void stringsMayHoldBracesCommasAndQuotesAndNameSelectorsCount() {
        PromQlReferences refs = PromQlReferences.of(
                "rate(x_total{status=~\"5..|A,B\\\"}\", how!='a{b}'}[5m]) / {__name__=\"y_total\", category=\"C\"}"
                        + " # trailing comment naming not_a_metric{label=\"\"}");
        assertThat(refs.selectors()).containsExactly(new Selector("x_total", Set.of("status", "how")),
                new Selector("y_total", Set.of("category")));
        assertThat(refs.groupingLabels()).isEmpty();
    }
}
