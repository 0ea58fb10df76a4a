package io.issuetrakbridge.ledger;

import java.util.Collection;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

import io.issuetrakbridge.budget.RequestBudget;
import io.issuetrakbridge.config.IssuetrakConfig;
import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.metrics.BridgeMetrics;
import io.issuetrakbridge.routing.CommandRouter;
import io.issuetrakbridge.routing.RoutingMarks;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;

/**
 * Keeps the ledger, the ownership and the lag gauges in step with the consumer's assignment. Runs on the consumer's
 * polling thread, so blocking here holds back records of the affected partitions, which is the point.
 */
@ApplicationScoped
@Identifier(LedgerRebalanceListener.NAME)
public class LedgerRebalanceListener implements KafkaConsumerRebalanceListener {

    public static final String NAME = "issuetrak-bridge-ledger";

    private final CommandLedger ledger;
    private final PartitionOwnership ownership;
    private final IssuetrakConfig issuetrak;
    private final BridgeMetrics metrics;
    private final TopicShapeCheck topics;
    private final CommandRouter router;
    private final String commandsTopic;
    private final RequestBudget budget;
    private final RoutingMarks marks;

    public LedgerRebalanceListener(CommandLedger ledger, PartitionOwnership ownership, IssuetrakConfig issuetrak,
            BridgeMetrics metrics, TopicShapeCheck topics, CommandRouter router, BridgeConfig bridge,
            RequestBudget budget, RoutingMarks marks) {
        this.marks = marks;
        this.budget = budget;
        this.router = router;
        this.commandsTopic = bridge.topics().commands();
        this.ledger = ledger;
        this.topics = topics;
        this.ownership = ownership;
        this.issuetrak = issuetrak;
        this.metrics = metrics;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        metrics.partitionsAssigned(partitions);
        // Partitions added to the commands topic make the group rebalance: every member learns the new count here.
        router.partitionCount(consumer.partitionsFor(commandsTopic).size());
        List<Integer> ids = partitions.stream().map(TopicPartition::partition).toList();
        // A missing or misshapen ledger is named, with its fix, instead of a restore timing out.
        topics.awaitLedgerFor(ids);
        ledger.restore(ids);
        marks.assigned(consumer, partitions);
        ownership.assigned(ids);
        shareBudget(consumer, partitions);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        List<Integer> ids = partitions.stream().map(TopicPartition::partition).toList();
        // A POST waits at most one request timeout for a connection and, once it has one, one more for its answer
        // (IssuetrakClient): still running after both it has failed on our side; give it a little more.
        ownership.revoke(ids, issuetrak.requestTimeout().multipliedBy(2).plusSeconds(2));
        marks.revoked(partitions);
        ledger.forget(ids);
        metrics.partitionsRevoked(partitions);
        shareBudget(consumer, partitions);
    }

    /** The request budget is split by partitions owned: this instance's share follows every rebalance. */
    private void shareBudget(Consumer<?, ?> consumer, Collection<TopicPartition> changed) {
        int total = budget.share().total();
        if (!changed.isEmpty()) {
            try {
                // From the consumer's metadata cache: the commands topic's partitions are known once assigned.
                total = consumer.partitionsFor(changed.iterator().next().topic()).size();
            } catch (KafkaException e) {
                Log.warnf("Request budget: the commands topic's partition count is unknown (%s); keeping %d",
                        e.getMessage(), total);
            }
        }
        int owned = ownership.owned().size();
        if (total > 0) {
            budget.partitions(Math.min(owned, total), total);
        }
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        onPartitionsRevoked(consumer, partitions);
    }
}
