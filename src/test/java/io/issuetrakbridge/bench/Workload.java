package io.issuetrakbridge.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * One run's topics, commands and outcomes. Commands and replies topics use LogAppendTime, so a
 * command's latency is broker time to broker time: from the command being on the broker to its reply
 * being on the broker, with neither the harness's producer nor its consumer in the figure.
 */
final class Workload implements AutoCloseable {

    /** Topic names of one run: fresh ones per run, so no run sees another's records or offsets. */
    record Topics(String commands, String replies, String errors, String deadLetters, String ledger) {
        static Topics of(String prefix) {
            return new Topics(prefix + "-commands", prefix + "-replies", prefix + "-errors", prefix + "-dlq",
                    prefix + "-ledger");
        }
    }

    private final String bootstrap;
    private final Topics topics;
    private final String runTag;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Collector collector;
    private final Thread collectorThread;
    private final int partitions;
    private final boolean misroute;

    /**
     * @param misroute produce every command to a partition that is not its issue's home (the next one), keyed by
     *        the issue number, as a producer with another partitioner would: the bridge forwards each one. The
     *        commands topic then keeps the producer's timestamps (CreateTime), which forwarded copies carry and
     *        the bridge orders them by; command latency then starts at the producer's send, linger included.
     */
    Workload(String bootstrap, Topics topics, int partitions, String runTag, int capacity, boolean misroute)
            throws Exception {
        this.bootstrap = bootstrap;
        this.topics = topics;
        this.runTag = runTag;
        this.partitions = partitions;
        this.misroute = misroute;
        createTopics(partitions);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // Kafka 4's default, as an upstream producer has it; latency runs from broker time stamps, so it is not in it.
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        this.producer = new KafkaProducer<>(p);
        this.collector = new Collector(capacity);
        this.collectorThread = new Thread(collector, "bench-collector");
        collectorThread.setDaemon(true);
        collectorThread.start();
    }

    private void createTopics(int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<String, String> appendTime = Map.of("message.timestamp.type", "LogAppendTime");
            admin.createTopics(List.of(
                    new NewTopic(topics.commands(), partitions, (short) 1)
                            .configs(misroute ? Map.of("message.timestamp.type", "CreateTime") : appendTime),
                    new NewTopic(topics.replies(), partitions, (short) 1).configs(appendTime),
                    new NewTopic(topics.errors(), 1, (short) 1),
                    new NewTopic(topics.deadLetters(), 1, (short) 1),
                    // Co-partitioned with the commands, compacted: as deploy/kafka-topics.yaml has it.
                    new NewTopic(topics.ledger(), partitions, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all().get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * Command {@code index} of this run: which issue it is for and its place among that issue's commands; {@code high}
     * ones carry the priority header {@value #PRIORITY_HEADER}: {@value #PRIORITY_HIGH}.
     */
    record Command(int index, long issue, int seq, boolean high) {
        Command(int index, long issue, int seq) {
            this(index, issue, seq, false);
        }
    }

    /** The priority header of issue 15 (a CloudEvents extension attribute in binary mode) and its high value. */
    static final String PRIORITY_HEADER = "ce_priority";
    static final String PRIORITY_HIGH = "high";

    /** The same commands renumbered from {@code firstIndex} on, in order (to follow a warm-up). */
    static List<Command> from(int firstIndex, List<Command> commands) {
        List<Command> out = new ArrayList<>(commands.size());
        for (int i = 0; i < commands.size(); i++) {
            Command c = commands.get(i);
            out.add(new Command(firstIndex + i, c.issue(), c.seq(), c.high()));
        }
        return out;
    }

    /** {@code n} commands over issues {@code firstIssue .. firstIssue+issues-1}, issues drawn at random. */
    static List<Command> commands(int n, int issues, long firstIssue, long seed) {
        Random random = new Random(seed);
        int[] next = new int[issues];
        List<Command> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int k = random.nextInt(issues);
            out.add(new Command(i, firstIssue + k, next[k]++));
        }
        return out;
    }

    String commandId(int index) {
        return runTag + "-" + index;
    }

    /** The NoteText carries run, command and per-issue sequence, so the sandbox's notes can be checked alone. */
    static String noteText(String runTag, Command c) {
        return "bench|" + runTag + "|" + c.index() + "|" + c.issue() + "|" + c.seq();
    }

    /**
     * Produces the commands, at {@code ratePerSecond} if positive, else as fast as the producer goes.
     * Returns when all are on the broker.
     */
    void produce(List<Command> commands, double ratePerSecond, long[] appendTimes) throws Exception {
        long start = System.nanoTime();
        double nanosPerRecord = ratePerSecond > 0 ? 1e9 / ratePerSecond : 0;
        AtomicLong failures = new AtomicLong();
        for (int i = 0; i < commands.size(); i++) {
            Command c = commands.get(i);
            if (nanosPerRecord > 0) {
                long due = start + (long) (i * nanosPerRecord);
                long wait = due - System.nanoTime();
                if (wait > 50_000) {
                    LockSupport.parkNanos(wait);
                }
            }
            String value = "{\"CommandId\":\"" + commandId(c.index()) + "\",\"IssueNumber\":" + c.issue()
                    + ",\"CreatedBy\":\"bridge\",\"NoteText\":\"" + noteText(runTag, c) + "\"}";
            int index = c.index();
            byte[] key = Long.toString(c.issue()).getBytes(StandardCharsets.UTF_8);
            // Misrouted: the partition after the issue's home, which Kafka's default partitioner would pick.
            Integer partition = misroute ? (Utils.toPositive(Utils.murmur2(key)) % partitions + 1) % partitions : null;
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topics.commands(), partition, key,
                    value.getBytes(StandardCharsets.UTF_8));
            if (c.high()) {
                record.headers().add(PRIORITY_HEADER, PRIORITY_HIGH.getBytes(StandardCharsets.UTF_8));
            }
            producer.send(record, (meta, e) -> {
                if (e != null) {
                    failures.incrementAndGet();
                } else if (appendTimes != null) {
                    appendTimes[index] = meta.timestamp();
                }
            });
        }
        producer.flush();
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " commands could not be produced");
        }
    }

    /**
     * The broker's produce round trip as the service sees it for one record at a time (acks=all): the
     * floor under each of the service's three sequential writes per command.
     */
    static RunResult.Latency produceRoundTrip(String bootstrap, int samples) throws Exception {
        String topic = "bench-round-trip-" + System.currentTimeMillis();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        long[] micros = new long[samples];
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = -50; i < samples; i++) {
                long t0 = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, new byte[64])).get();
                if (i >= 0) {
                    micros[i] = (System.nanoTime() - t0) / 1000;
                }
            }
        }
        Arrays.sort(micros);
        long[] ms100 = Arrays.stream(micros).map(m -> m / 100).toArray(); // tenths of a millisecond
        RunResult.Latency tenths = RunResult.Latency.of(ms100, 0);
        return new RunResult.Latency(tenths.p50() / 10, tenths.p95() / 10, tenths.p99() / 10, tenths.max() / 10);
    }

    Collector collector() {
        return collector;
    }

    @Override
    public void close() {
        collector.stop = true;
        try {
            collectorThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }

    /** Reads replies and errors of this run; per command: reply append time and the time it was consumed. */
    final class Collector implements Runnable {
        final long[] replyAppendTime;
        final long[] consumedAt;
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger errors = new AtomicInteger();
        final AtomicInteger repeatedReplies = new AtomicInteger();
        final AtomicInteger foreign = new AtomicInteger();
        volatile long lastProgressNanos = System.nanoTime();
        volatile boolean stop;
        private final AtomicInteger assignedLatch = new AtomicInteger();

        Collector(int capacity) {
            replyAppendTime = new long[capacity];
            consumedAt = new long[capacity];
            Arrays.fill(replyAppendTime, -1);
        }

        boolean ready() {
            return assignedLatch.get() > 0;
        }

        @Override
        public void run() {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
                List<TopicPartition> tps = new ArrayList<>();
                for (String topic : List.of(topics.replies(), topics.errors())) {
                    consumer.partitionsFor(topic).forEach(info -> tps.add(new TopicPartition(topic, info.partition())));
                }
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                tps.forEach(consumer::position);
                assignedLatch.incrementAndGet();
                while (!stop) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        long now = System.currentTimeMillis();
                        Header h = r.headers().lastHeader("CommandId");
                        String id = h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
                        if (!id.startsWith(runTag + "-")) {
                            foreign.incrementAndGet();
                            continue;
                        }
                        int index = Integer.parseInt(id.substring(runTag.length() + 1));
                        if (r.topic().equals(topics.errors())) {
                            errors.incrementAndGet();
                        }
                        if (replyAppendTime[index] >= 0) {
                            repeatedReplies.incrementAndGet();
                            continue;
                        }
                        replyAppendTime[index] = r.timestamp();
                        consumedAt[index] = now;
                        answered.incrementAndGet();
                        lastProgressNanos = System.nanoTime();
                    }
                }
            }
        }

        /** Waits until {@code count} commands are answered, or nothing new arrived for {@code stall}. */
        boolean awaitAnswered(int count, Duration stall) throws InterruptedException {
            lastProgressNanos = System.nanoTime();
            while (answered.get() < count) {
                if (System.nanoTime() - lastProgressNanos > stall.toNanos()) {
                    return false;
                }
                Thread.sleep(20);
            }
            return true;
        }
    }
}
