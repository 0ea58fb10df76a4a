package io.issuetrakbridge.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points the application under test at a real broker and gives it topics of its own.
 * <p>
 * By default the broker is {@link EmbeddedKafka}. {@code -Dkafka.bootstrap.servers=host:port} uses an
 * external broker instead; {@code -Dtest.kafka=devservices} (the {@code testcontainers} Maven profile)
 * leaves the broker to Quarkus Dev Services, i.e. Testcontainers, on machines with a container runtime.
 * <p>
 * Tests reach the topics through an {@link InjectCommandTopics} field: one producer and reader per
 * application start, shared by its test classes, instead of one opened and closed by each class.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    /** Init argument: partitions of the commands topic (and of the ledger, which must match). */
    public static final String PARTITIONS = "partitions";

    private int partitions = 3;
    private CommandTopics topics;

    @Override
    public void init(Map<String, String> initArgs) {
        partitions = Integer.parseInt(initArgs.getOrDefault(PARTITIONS, "3"));
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        String external = System.getProperty("kafka.bootstrap.servers");
        if ("devservices".equals(System.getProperty("test.kafka"))) {
            config.put("quarkus.kafka.devservices.enabled", "true");
        } else {
            config.put("kafka.bootstrap.servers", external != null ? external : EmbeddedKafka.bootstrapServers());
        }
        // Topics of its own for every application start: tests never see each other's records.
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        config.put("bridge.topics.commands", "commands-" + suffix);
        config.put("bridge.topics.replies", "replies-" + suffix);
        config.put("bridge.topics.errors", "errors-" + suffix);
        config.put("bridge.topics.dead-letters", "dlq-" + suffix);
        config.put("bridge.topics.ledger", "ledger-" + suffix);
        config.put("bridge.topics.routing-marks", "routing-" + suffix);
        config.put("kafka.group.id", "bridge-" + suffix);
        if (!config.containsKey("quarkus.kafka.devservices.enabled")) {
            KafkaTopics.create(config.get("kafka.bootstrap.servers"), Map.of(
                    config.get("bridge.topics.commands"), partitions,
                    config.get("bridge.topics.ledger"), partitions,
                    config.get("bridge.topics.replies"), 1,
                    config.get("bridge.topics.errors"), 1,
                    config.get("bridge.topics.dead-letters"), 1,
                    config.get("bridge.topics.routing-marks"), 1),
                    Set.of(config.get("bridge.topics.ledger"), config.get("bridge.topics.routing-marks")));
        }
        return config;
    }

    @Override
    public void inject(TestInjector injector) {
        if (topics == null) {
            // Opened here rather than in start(): only now does the application's config (Dev Services' broker included) exist.
            topics = new CommandTopics();
        }
        injector.injectIntoFields(topics,
                new TestInjector.AnnotatedAndMatchesType(InjectCommandTopics.class, CommandTopics.class));
    }

    @Override
    public void stop() {
        if (topics != null) {
            topics.close();
            topics = null;
        }
        // The broker is shared by the whole test JVM and stops with it.
    }
}
