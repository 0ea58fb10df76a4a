package io.issuetrakbridge.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.issuetrakbridge.config.BudgetRule;
import io.issuetrakbridge.metrics.BridgeMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The split of the budget by commands partitions, followed through rebalances. */
class PartitionShareTest {

    private static final List<BudgetRule> RULES = List.of(BudgetRule.parse("60/1s"), BudgetRule.parse("12/1s/writes"));

    @Test
    void theShareIsThePartitionsOwnedOverAll() {
        assertThat(new PartitionShare(2, 6).share()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(new PartitionShare(6, 6).share()).isEqualTo(1.0);
        // An instance without partitions keeps one partition's worth for its probes.
        assertThat(new PartitionShare(0, 6).share()).isCloseTo(1.0 / 6, within(1e-12));
        assertThatThrownBy(() -> new PartitionShare(7, 6)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void threeInstancesSplitTheBudgetAndTheSurvivorsTakeOverTheStoppedOnesShare() {
        RequestBudget a = budget();
        RequestBudget b = budget();
        RequestBudget c = budget();

        // Six partitions over three instances.
        a.partitions(2, 6);
        b.partitions(2, 6);
        c.partitions(2, 6);
        assertThat(limits(a)).containsExactly(20.0, 4.0);
        assertThat(limits(a)[0] + limits(b)[0] + limits(c)[0]).isCloseTo(60.0, within(1e-9));

        // c stops: the eager rebalance first revokes everything, then hands out three partitions each.
        a.partitions(0, 6);
        b.partitions(0, 6);
        assertThat(limits(a)).containsExactly(10.0, 2.0);
        a.partitions(3, 6);
        b.partitions(3, 6);
        assertThat(limits(a)).containsExactly(30.0, 6.0);
        assertThat(limits(a)[1] + limits(b)[1]).isCloseTo(12.0, within(1e-9));

        // c comes back and takes two partitions, one from each.
        a.partitions(2, 6);
        b.partitions(2, 6);
        c.partitions(2, 6);
        assertThat(limits(c)).containsExactly(20.0, 4.0);
    }

    @Test
    void beforeItsFirstAssignmentAnInstanceHasTheWholeBudgetForItsProbes() {
        assertThat(limits(budget())).containsExactly(60.0, 12.0);
    }

    private static RequestBudget budget() {
        return new RequestBudget(RULES, 0.02, Duration.ZERO, new BridgeMetrics(new SimpleMeterRegistry()));
    }

    private static double[] limits(RequestBudget budget) {
        return budget.allowances().stream().mapToDouble(a -> Math.round(a.requests() * 1e9) / 1e9).toArray();
    }
}
