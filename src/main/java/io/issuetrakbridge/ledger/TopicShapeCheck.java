package io.issuetrakbridge.ledger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.config.KafkaClientSettings;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Checks, at start and on every partition assignment, that the ledger topic can keep the exactly-once
 * promise: it exists, has exactly the commands topic's partition count (a command of commands partition p is
 * recorded in ledger partition p), and its {@code cleanup.policy} includes {@code compact}. A missing ledger is
 * created with those settings when {@code bridge.ledger.create-topic} allows it, as Kafka Streams creates its
 * internal topics. Anything else wrong is reported, each problem with the command that fixes it, through the
 * log (ERROR) and readiness ({@link TopicReport}).
 * <p>
 * The replies, errors and dead-letter topics only need to exist, and a broker with topic auto-creation makes
 * them on the first write: a missing one is a WARN, not a readiness failure.
 */
@ApplicationScoped
public class TopicShapeCheck {

    /** Longest wait for one admin request: the check runs on the consumer's polling thread. */
    private static final Duration REQUEST = Duration.ofSeconds(15);
    /** How long an assignment waits for an unusable ledger to be fixed before it fails and is retried. */
    private static final Duration ASSIGNMENT_WAIT = Duration.ofSeconds(30);
    private static final Duration RECHECK = Duration.ofSeconds(2);
    private static final String COMPACT = TopicConfig.CLEANUP_POLICY_COMPACT;

    private final Map<String, Object> adminSettings;
    private final BridgeConfig.Topics topics;
    private final BridgeConfig.Ledger ledger;
    private final String bootstrap;
    private final boolean routingMarks;
    private Admin admin;
    private volatile TopicReport last;

    @Inject
    public TopicShapeCheck(@Identifier("default-kafka-broker") Map<String, Object> kafka, BridgeConfig config) {
        this(kafka, config.topics(), config.ledger(), config.routing().marks().enabled());
    }

    /** Outside CDI (tests): over {@code kafka} client settings. */
    public TopicShapeCheck(Map<String, Object> kafka, BridgeConfig.Topics topics, BridgeConfig.Ledger ledger) {
        this(kafka, topics, ledger, false);
    }

    /** Outside CDI (tests): over {@code kafka} client settings, with or without the routing marks topic. */
    public TopicShapeCheck(Map<String, Object> kafka, BridgeConfig.Topics topics, BridgeConfig.Ledger ledger,
            boolean routingMarks) {
        this.routingMarks = routingMarks;
        this.adminSettings = adminSettings(kafka);
        this.topics = topics;
        this.ledger = ledger;
        this.bootstrap = String.valueOf(kafka.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    }

    /** The admin client's settings: the shared {@code kafka.*} ones, security included. */
    private static Map<String, Object> adminSettings(Map<String, Object> kafka) {
        Map<String, Object> props = KafkaClientSettings.admin(kafka);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "issuetrak-bridge-topic-check");
        return props;
    }

    /** At start, off the start-up thread: a broker that is slow to answer must not hold the start. */
    void onStart(@Observes StartupEvent event) {
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            try {
                check();
            } catch (RuntimeException e) {
                Log.errorf(e, "Topic check: failed at start; readiness retries it");
            }
        });
    }

    /** The latest report, if a check has run. */
    public Optional<TopicReport> lastReport() {
        return Optional.ofNullable(last);
    }

    /**
     * Before the partitions' ledger is restored: returns once the ledger topic holds them, creating it if it
     * may. Blocking, on the consumer's polling thread; waits up to 30 s for an
     * operator's fix, then fails the assignment, which the consumer retries, rather than process commands it
     * cannot record.
     */
    void awaitLedgerFor(Collection<Integer> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        int highest = partitions.stream().mapToInt(Integer::intValue).max().orElseThrow();
        long deadline = System.nanoTime() + ASSIGNMENT_WAIT.toNanos();
        TopicReport report = check();
        while (report.ledgerPartitions() <= highest) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the ledger topic " + topics.ledger() + " cannot record commands "
                        + "partitions " + partitions + ": " + String.join("; ", report.problems()));
            }
            try {
                // Polling the broker for an operator's fix: there is no notification to wait for.
                Thread.sleep(RECHECK.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the ledger topic", e);
            }
            report = check();
        }
    }

    /** Checks the topics now, creating the ledger if it is missing and may be created; logs what changed. */
    public synchronized TopicReport check() {
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        int ledgerPartitions = -1;
        try {
            Optional<TopicDescription> commands = describe(topics.commands());
            if (commands.isEmpty()) {
                problems.add("the commands topic " + topics.commands() + " does not exist, so the ledger topic "
                        + topics.ledger() + " cannot be checked against it; create it: " + createCommand(
                                topics.commands(), "<partitions>", "<replicas>", ""));
            } else {
                ledgerPartitions = checkLedger(commands.get(), problems);
                if (routingMarks) {
                    checkRoutingMarks(commands.get(), warnings);
                }
            }
            for (String topic : List.of(topics.replies(), topics.errors(), topics.deadLetters())) {
                if (describe(topic).isEmpty()) {
                    warnings.add("the topic " + topic + " does not exist: writes to it wait for the broker to "
                            + "create it (auto.create.topics.enable) and fail where it does not; create it: "
                            + createCommand(topic, "<partitions>", "<replicas>", ""));
                }
            }
        } catch (AuthorizationException e) {
            problems.add("Kafka denies this bridge an operation the topic check needs (" + e.getMessage()
                    + "): grant DESCRIBE on the bridge's topics and DESCRIBE_CONFIGS on the ledger topic "
                    + "(README, Kafka ACLs)");
        } catch (Exception e) {
            problems.add("could not check the topics: " + e + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
        }
        TopicReport report = new TopicReport(ledgerPartitions, List.copyOf(problems), List.copyOf(warnings));
        logChanges(last, report);
        last = report;
        return report;
    }

    /** Checks the ledger against the commands topic; returns its partition count, -1 when it does not exist. */
    private int checkLedger(TopicDescription commands, List<String> problems) throws Exception {
        int wanted = commands.partitions().size();
        int replicas = ledger.replicationFactor().orElse(commands.partitions().get(0).replicas().size());
        String ledgerTopic = topics.ledger();
        Optional<TopicDescription> found = describe(ledgerTopic);
        if (found.isEmpty()) {
            String create = createCommand(ledgerTopic, Integer.toString(wanted), Integer.toString(replicas),
                    " --config cleanup.policy=compact,delete --config retention.ms=" + ledger.retention().toMillis());
            if (!ledger.createTopic()) {
                problems.add("the ledger topic " + ledgerTopic + " does not exist (bridge.ledger.create-topic=false); "
                        + "create it: " + create);
                return -1;
            }
            Optional<String> refused = create(ledgerTopic, wanted, replicas);
            if (refused.isPresent()) {
                problems.add("the ledger topic " + ledgerTopic + " does not exist and the bridge could not create it ("
                        + refused.get() + "); create it: " + create);
                return -1;
            }
            found = describe(ledgerTopic);
            if (found.isEmpty()) {
                // Created just now, with the right shape, and not yet in the broker's metadata: nothing to check.
                return wanted;
            }
        }
        int actual = found.get().partitions().size();
        if (actual < wanted) {
            problems.add("the ledger topic " + ledgerTopic + " has " + actual + " partitions, the commands topic "
                    + topics.commands() + " " + wanted + ": commands of partitions " + actual + " and above cannot be "
                    + "recorded; add partitions: kafka-topics.sh --bootstrap-server " + bootstrap
                    + " --alter --topic " + ledgerTopic + " --partitions " + wanted);
        } else if (actual > wanted) {
            problems.add("the ledger topic " + ledgerTopic + " has " + actual + " partitions, the commands topic "
                    + topics.commands() + " " + wanted + ": they must be equal; give the commands topic as many "
                    + "(kafka-topics.sh --bootstrap-server " + bootstrap + " --alter --topic " + topics.commands()
                    + " --partitions " + actual + "; issues then move to other partitions, README Exactly once), as a "
                    + "partition count cannot be lowered");
        }
        String policy = cleanupPolicy(ledgerTopic);
        if (!List.of(policy.split(",")).stream().map(String::trim).toList().contains(COMPACT)) {
            problems.add("the ledger topic " + ledgerTopic + " has cleanup.policy=" + policy + ", without compact: "
                    + "it grows with every command instead of keeping the latest entry of each; fix: kafka-configs.sh "
                    + "--bootstrap-server " + bootstrap + " --alter --entity-type topics --entity-name " + ledgerTopic
                    + " --add-config cleanup.policy=[compact,delete]");
        }
        return actual;
    }

    /**
     * The routing marks topic: one partition, compacted (the latest mark per commands partition is all that
     * matters). Created like the ledger when missing; without it, commands that wait for order wait
     * {@code bridge.routing.max-order-wait}, so a missing one is a warning, not a readiness failure.
     */
    private void checkRoutingMarks(TopicDescription commands, List<String> warnings) throws Exception {
        String topic = topics.routingMarks();
        if (describe(topic).isPresent()) {
            return;
        }
        int replicas = ledger.replicationFactor().orElse(commands.partitions().get(0).replicas().size());
        String create = createCommand(topic, "1", Integer.toString(replicas), " --config cleanup.policy=compact");
        if (!ledger.createTopic()) {
            warnings.add("the routing marks topic " + topic + " does not exist (bridge.ledger.create-topic=false): "
                    + "commands that wait for order wait bridge.routing.max-order-wait; create it: " + create);
            return;
        }
        Optional<String> refused = create(topic, 1, replicas, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, COMPACT));
        refused.ifPresent(why -> warnings.add("the routing marks topic " + topic + " does not exist and the bridge "
                + "could not create it (" + why + "): commands that wait for order wait bridge.routing.max-order-wait; "
                + "create it: " + create));
    }

    /** Creates the ledger topic; empty when created (or created meanwhile by another instance), else why not. */
    private Optional<String> create(String topic, int partitions, int replicas) throws Exception {
        return create(topic, partitions, replicas, Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(ledger.retention().toMillis())));
    }

    /** Creates a topic of the bridge's own; empty when created (or created meanwhile elsewhere), else why not. */
    private Optional<String> create(String topic, int partitions, int replicas, Map<String, String> configs)
            throws Exception {
        NewTopic newTopic = new NewTopic(topic, Optional.of(partitions), Optional.of((short) replicas))
                .configs(configs);
        try {
            admin().createTopics(List.of(newTopic)).all().get(REQUEST.toMillis(), TimeUnit.MILLISECONDS);
            Log.infof("Topic check: created the topic %s with %d partitions, replication factor %d, %s", topic,
                    partitions, replicas, configs);
            return Optional.empty();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return Optional.empty();
            }
            if (e.getCause() instanceof AuthorizationException) {
                return Optional.of("Kafka denies it CREATE on the topic: " + e.getCause().getMessage());
            }
            return Optional.of(e.getCause().toString());
        }
    }

    private Optional<TopicDescription> describe(String topic) throws Exception {
        try {
            return Optional.of(admin().describeTopics(List.of(topic)).topicNameValues().get(topic)
                    .get(REQUEST.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw rethrown(e);
        }
    }

    private String cleanupPolicy(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Config config = admin().describeConfigs(List.of(resource)).values().get(resource)
                    .get(REQUEST.toMillis(), TimeUnit.MILLISECONDS);
            var entry = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            return entry == null || entry.value() == null ? TopicConfig.CLEANUP_POLICY_DELETE : entry.value();
        } catch (ExecutionException e) {
            throw rethrown(e);
        }
    }

    /** The admin client's own exception, so that authorization failures are told apart. */
    private static Exception rethrown(ExecutionException e) {
        return e.getCause() instanceof Exception cause ? cause : e;
    }

    private String createCommand(String topic, String partitions, String replicas, String configs) {
        return "kafka-topics.sh --bootstrap-server " + bootstrap + " --create --topic " + topic + " --partitions "
                + partitions + " --replication-factor " + replicas + configs;
    }

    /** Logs problems and warnings when they differ from the previous check's, so a re-check does not repeat them. */
    private static void logChanges(TopicReport previous, TopicReport now) {
        List<String> before = previous == null ? List.of() : previous.problems();
        List<String> warnedBefore = previous == null ? List.of() : previous.warnings();
        now.problems().stream().filter(p -> !before.contains(p)).forEach(p -> Log.errorf("Topic check: %s", p));
        now.warnings().stream().filter(w -> !warnedBefore.contains(w)).forEach(w -> Log.warnf("Topic check: %s", w));
        if (!before.isEmpty() && now.problems().isEmpty()) {
            Log.infof("Topic check: the ledger topic is as it must be again");
        }
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(adminSettings);
        }
        return admin;
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }
}
