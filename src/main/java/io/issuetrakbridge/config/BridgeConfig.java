package io.issuetrakbridge.config;

import java.time.Duration;
import java.util.OptionalInt;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How the bridge consumes commands and publishes outcomes. Topic names live here and in properties
 * only; code refers to channels ({@link io.issuetrakbridge.messaging.Channels}).
 */
@ConfigMapping(prefix = "bridge")
public interface BridgeConfig {

    /** Topic names. */
    Topics topics();

    /** Largest NoteText accepted, in UTF-8 bytes; longer commands fail VALIDATION. */
    @WithDefault("262144")
    int maxNoteBytes();

    /**
     * Commands processed at once per instance, across partitions and within one. Commands for the
     * same issue still run one after another. 1 gives strictly sequential processing. 16 by default, with
     * {@code issuetrak.max-connections}: every command in the window can be at Issuetrak at once.
     */
    @WithDefault("16")
    int maxInFlight();

    /** The CloudEvents {@code source} of replies and errors. */
    @WithDefault("issuetrak-bridge")
    String source();

    /** Retries of UNAVAILABLE, THROTTLED and AMBIGUOUS outcomes. */
    Retry retry();

    /** Pausing when Issuetrak refuses our key or stays down. */
    Pause pause();

    /** The one producer that writes ledger entries, replies and errors. */
    Producer producer();

    /** The exactly-once ledger's memory. */
    Ledger ledger();

    /** The bridge's own metrics. */
    Metrics metrics();

    /** How the window is shared between issues, and the priority lane. */
    Scheduling scheduling();

    /** Which commands partition processes a command (its issue's home partition), and in which order. */
    Routing routing();

    /**
     * On shutdown, how long in-flight commands may take to finish and publish their outcomes. What
     * is not finished by then stays uncommitted and is redelivered. Keep below the pod's
     * terminationGracePeriodSeconds.
     */
    @WithDefault("30s")
    Duration shutdownGrace();

    /** Topic names (each also settable as an environment variable, e.g. BRIDGE_TOPICS_COMMANDS). */
    interface Topics {
        /** Where upstream systems put note-creation commands. */
        @WithDefault("issuetrak.notes.commands")
        String commands();

        /** Where the bridge publishes created NoteIDs. */
        @WithDefault("issuetrak.notes.replies")
        String replies();

        /** Where the bridge publishes failed commands' errors. */
        @WithDefault("issuetrak.notes.errors")
        String errors();

        /** Where commands that cannot succeed are kept, unchanged, for replay. */
        @WithDefault("issuetrak.notes.dlq")
        String deadLetters();

        /**
         * The bridge's own compacted ledger of command outcomes (exactly-once). Must have as many
         * partitions as the commands topic.
         */
        @WithDefault("issuetrak.notes.ledger")
        String ledger();

        /**
         * The bridge's own compacted topic of routing marks (one partition, key {@code <commands topic>/<partition>}):
         * how far each commands partition has been routed, written by its owner, read by every instance to keep one
         * issue's commands in order across partitions ({@code bridge.routing.marks.enabled}).
         */
        @WithDefault("issuetrak.notes.routing")
        String routingMarks();
    }

    /** Exponential backoff with full jitter. */
    interface Retry {
        /** Upper bound of the first retry's random delay. */
        @WithDefault("200ms")
        Duration initialDelay();

        /** Growth of the delay bound per attempt. */
        @WithDefault("2.0")
        double multiplier();

        /** Largest delay between two attempts, also the cap on a 429's Retry-After. */
        @WithDefault("30s")
        Duration maxDelay();

        /** Attempts per command including the first. */
        @WithDefault("12")
        int maxAttempts();

        /** Total time a command may spend retrying before it is dead-lettered. */
        @WithDefault("5m")
        Duration budget();
    }

    /**
     * The bridge's producer. Everything else about it comes from the global {@code kafka.*} settings
     * (bootstrap servers, SASL, SSL); acks=all and idempotence are fixed, not configurable.
     */
    interface Producer {
        /**
         * How long a record may wait for others to share its request to the broker. Each command
         * writes three records (PENDING, CREATED, reply): a short linger turns a burst of them into
         * one request, which costs the broker and the bridge far less CPU than one request each
         * (Kafka 4's own default; docs/BENCHMARKS.md). 0 sends each at once, for the lowest latency.
         */
        @WithDefault("5ms")
        Duration linger();

        /**
         * When Kafka has not taken a ledger entry, reply or error after the producer's own retries
         * ({@code kafka.delivery.timeout.ms}, 2 minutes by default) and calls the failure retriable
         * (brokers unreachable, too few in-sync replicas), the bridge sends the record again after this
         * back-off, doubling up to {@link #retryMaxBackoff()}, for as long as it owns the command's
         * partition. The command's issue waits meanwhile, so its order holds, and the bridge resumes by
         * itself once Kafka takes records again: no restart.
         */
        @WithDefault("1s")
        Duration retryBackoff();

        /** The longest back-off between two sends of a record Kafka has not taken. */
        @WithDefault("30s")
        Duration retryMaxBackoff();
    }

    /** The exactly-once ledger's memory. */
    interface Ledger {
        /**
         * How long an instance remembers a command after its last ledger entry, to answer it from the
         * ledger when it comes again (redelivery, replay, a producer's resend). Set it to the ledger
         * topic's {@code retention.ms} (14 days in deploy/): a restore remembers what the topic keeps, and
         * a running instance forgets what has left it. Memory is about 26 bytes plus the ID per command
         * received within it.
         */
        @WithDefault("14d")
        Duration retention();

        /**
         * Whether the bridge creates the ledger topic when it is missing, as Kafka Streams creates its internal
         * topics: the commands topic's partition count, cleanup.policy compact,delete, retention.ms of
         * {@link #retention()}. Off where topics are managed only by operators (Strimzi KafkaTopic): a missing
         * ledger then keeps readiness DOWN and the log gives the command that creates it.
         */
        @WithDefault("true")
        boolean createTopic();

        /** Replication factor of a ledger topic the bridge creates; by default the commands topic's. */
        OptionalInt replicationFactor();
    }

    /** The bridge's own metrics. */
    interface Metrics {
        /**
         * How often each instance measures the lag of its commands partitions (the partitions' end offsets
         * asked of the broker, minus the consumer's positions), also while paused.
         */
        @WithDefault("5s")
        Duration lagInterval();
    }

    /** Where commands are processed: on their issue's home partition, whatever partition they arrive on. */
    interface Routing {
        /**
         * How long a command that is not on its home partition under the issue number as key (a forwarded copy,
         * or another key or none) waits, after its record timestamp, for commands of its issue with earlier
         * timestamps arriving from other partitions; such commands are then processed in timestamp order. It
         * must cover a record's trip from the producer to the bridge and its forward to the home partition.
         * 0: no wait, such commands are processed as they arrive. Commands on their home partition keyed by the
         * issue number never wait.
         */
        @WithDefault("500ms")
        Duration orderWindow();

        /**
         * With routing marks on: the longest a command waits for them after it arrived. Past it the command is
         * processed anyway, out of order if an earlier one is still unread (counted in
         * {@code issuetrak_bridge_routing_order_forced_total{reason="max-wait"}}, a WARN per episode). It ends the wait
         * for a partition left without an owner or whose owner cannot publish its marks. (A buffer full of waiting
         * commands does not wait for it: its earliest leave after a short grace, reason {@code stall}.)
         */
        @WithDefault("30s")
        Duration maxOrderWait();

        /**
         * Bytes of command values (the records' values) that commands waiting for their issue's order may hold
         * without taking one of the fetched-record slots (bridge.max-in-flight + bridge.scheduling.max-parked): a
         * backlog of commands that wait is read on while they wait, up to this much heap. Beyond it a waiting
         * command keeps its slot. 0: every waiting command keeps its slot. The default, 2 MiB (about ten thousand
         * commands of 200-byte values), keeps the start-up heap warning's worst case at the deployment's 256 MiB
         * heap: the fetched records' (16 + 1000) x 256 KiB = 254 MiB, plus this.
         */
        @WithDefault("2097152")
        long maxWaitingBytes();

        /** Routing marks: one issue's commands in order across partitions also when the bridge is behind. */
        Marks marks();

        /**
         * Routing marks. Each owner of a commands partition publishes how far it has routed it (every record up to
         * a timestamp read and, if forwarded, its copy on the broker) to {@code bridge.topics.routing-marks}; a
         * command that waits for order is processed once every partition's mark has passed its timestamp plus
         * {@code bridge.routing.order-window} and its home partition has read the copies the marks name.
         */
        interface Marks {
            /**
             * Whether commands that wait for order wait for routing marks (true) or for
             * {@code bridge.routing.order-window} after their timestamp only (false: order holds only while the
             * bridge keeps up; no marks topic).
             */
            @WithDefault("true")
            boolean enabled();

            /** How often each instance publishes the marks of the partitions it owns, idle ones included. */
            @WithDefault("150ms")
            Duration interval();
        }
    }

    /**
     * How the window of {@code bridge.max-in-flight} commands is shared: fairly between issues, high-priority
     * commands ({@code ce_priority: high}) first (README, Concurrency).
     */
    interface Scheduling {
        /**
         * Window slots one issue may hold at once. An issue delivers one note at a time anyway (its order), so 2 is
         * its command at Issuetrak plus the next one ready behind it; the rest of its backlog waits parked, holding
         * no slot, and the other issues keep flowing. 1: no command waits ready behind its issue's delivery.
         */
        @WithDefault("2")
        int maxPerIssue();

        /**
         * Records fetched beyond the window, waiting parked for a slot (unacknowledged, so offsets are not committed
         * past them). How far past a hot issue's backlog the bridge looks for other issues' commands; when full, the
         * consumer stops fetching and the rest waits in Kafka. Heap: up to (max-in-flight + max-parked) records of
         * up to about bridge.max-note-bytes each; the start-up log warns when that worst case exceeds the maximum
         * heap. 0: the window alone.
         */
        @WithDefault("1000")
        int maxParked();
    }

    /** Pausing consumption instead of burning commands. */
    interface Pause {
        /** How often a paused bridge probes Issuetrak with a signed request. */
        @WithDefault("5s")
        Duration probeInterval();

        /**
         * How long Issuetrak may stay UNAVAILABLE before the bridge stops fetching commands (circuit
         * open) until a probe succeeds.
         */
        @WithDefault("20s")
        Duration unavailableThreshold();
    }
}
