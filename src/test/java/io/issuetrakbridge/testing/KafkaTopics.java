package io.issuetrakbridge.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.awaitility.Awaitility;

/** Creates topics up front so that partition counts are the test's choice, not auto-creation's. */
public final class KafkaTopics {

    private KafkaTopics() {
    }

    public static void create(String bootstrapServers, Map<String, Integer> partitionsByTopic) {
        create(bootstrapServers, partitionsByTopic, Set.of());
    }

    /** As {@link #create(String, Map)}, the {@code compacted} ones with cleanup.policy=compact,delete, as a ledger must be. */
    public static void create(String bootstrapServers, Map<String, Integer> partitionsByTopic, Set<String> compacted) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(props)) {
            List<NewTopic> topics = partitionsByTopic.entrySet().stream()
                    .map(e -> new NewTopic(e.getKey(), e.getValue(), (short) 1).configs(compacted.contains(e.getKey())
                            ? Map.of("cleanup.policy", "compact,delete") : Map.of()))
                    .toList();
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
            // Created is not yet visible: the broker's metadata follows the controller a moment later.
            Awaitility.await("topics " + partitionsByTopic.keySet() + " visible").atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(() -> admin.describeTopics(partitionsByTopic.keySet()).allTopicNames()
                            .get(10, TimeUnit.SECONDS).size() == partitionsByTopic.size());
        } catch (Exception e) {
            throw new IllegalStateException("could not create topics " + partitionsByTopic.keySet(), e);
        }
    }
}
