package io.issuetrakbridge.bench;

import java.io.IOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.common.Uuid;

import io.issuetrakbridge.testing.SingleNodeBroker;

/**
 * The benchmark of issue 7: a real broker, the sandbox and the packaged service, each its own JVM,
 * driven by this harness. Run it with {@code bench/run.sh} (see docs/BENCHMARKS.md); it is not a test
 * and asserts nothing: it measures, checks exactly-once and order, and writes the report.
 * <p>
 * Runs, each against a freshly started service with topics of its own:
 * <ol>
 * <li>{@code main}: N commands over K issues on P partitions, produced as fast as possible (max throughput);</li>
 * <li>{@code sequential}: one partition, max-in-flight=1 (what a plain blocking consumer does);</li>
 * <li>{@code one-partition}: one partition, the default window, same issues as the sequential run;</li>
 * <li>{@code half-load}: the main layout with the producer held at half the main run's throughput, for latency;</li>
 * <li>{@code budget} (only when asked for: {@code --runs=budget}): three services of one group on one request budget
 * ({@code budget-rules}, default {@code 300/5s,150/5s/writes}), the sandbox enforcing the same rules, a backlog of
 * {@code budget-n} (900) commands: budget utilisation (notes a second over the tightest rule's rate, and the busiest
 * window of each rule) and the 429s, per rule.</li>
 * <li>{@code hot} (only when asked for): issue 15's fairness row, twice on fresh services: {@code hot-n} (600) commands
 * over 300 other issues alone, then the same next to {@code hot-n} commands of one hot issue (interleaved, produced as
 * fast as possible): the other issues' reply times with and without the hot issue.</li>
 * <li>{@code hot-pairs} (only when asked for): the same on one service, in {@code hot-pairs} (4) alternating pairs of
 * segments after an unmeasured one ({@link HotPairs}): the others' reply times pooled per kind.</li>
 * <li>{@code priority} (only when asked for): issue 15's priority row: a backlog of {@code priority-backlog} (10,000)
 * commands, then one with {@code ce_priority: high} on an issue of its own: that command's latency.</li>
 * </ol>
 * Every service gets {@code bridge.max-in-flight} and {@code issuetrak.max-connections} from the harness (256 each, or
 * {@code --service-opt=-D...}; 16 each in the budget run), never the service's own defaults, so that the figures stay
 * comparable across changes of those defaults.
 */
public final class Benchmark {

    private final Map<String, String> options;
    private final Path work;
    private final Path appDir;
    private final String classpath;
    private final long latencyMs;
    private final String apiKey;
    private final List<RunResult> results = new ArrayList<>();
    private final Map<String, Profile.Summary> profiles = new LinkedHashMap<>();
    private ChildProcess broker;
    private ChildProcess sandbox;
    private String bootstrap;
    private String sandboxUrl;
    private RunResult.Latency brokerRoundTrip;
    private String budgetResult;
    /** The layout of the hot-pairs run, once it is asked for. */
    private HotPairs hotPairs;
    /** Lines about parts of a run (the hot and priority runs), for the report. */
    private final List<String> findings = new ArrayList<>();
    /** Each running service's management port (health, metrics), by pid. */
    private final Map<Long, Integer> managementPorts = new java.util.concurrent.ConcurrentHashMap<>();

    private Benchmark(Map<String, String> options) {
        this.options = options;
        this.work = Path.of(opt("work", "target/bench")).toAbsolutePath();
        this.appDir = Path.of(opt("app", "target/quarkus-app")).toAbsolutePath();
        this.classpath = System.getProperty("java.class.path");
        this.latencyMs = Long.parseLong(opt("latency-ms", "20"));
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.apiKey = Base64.getEncoder().encodeToString(key);
    }

    /** Held: a logger's level lasts only as long as someone references it. */
    private static final java.util.logging.Logger ROOT_LOGGER = java.util.logging.Logger.getLogger("");

    public static void main(String[] args) throws Exception {
        // Without a logging configuration every logger was enabled down to DEBUG and the Kafka clients of
        // the harness formatted debug lines nobody saw: CPU taken from the machine under test (measured
        // 0.47 -> 0.38 harness cores at 600 commands/s).
        ROOT_LOGGER.setLevel(java.util.logging.Level.INFO);
        Map<String, String> options = new LinkedHashMap<>();
        List<String> serviceOpts = new ArrayList<>();
        for (String arg : args) {
            String a = arg.startsWith("--") ? arg.substring(2) : arg;
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("arguments look like --n=100000, got '" + arg + "'");
            }
            if (a.startsWith("service-opt=")) {
                serviceOpts.add(a.substring(eq + 1));
            } else {
                options.put(a.substring(0, eq), a.substring(eq + 1));
            }
        }
        options.put("service-opts", String.join(" ", serviceOpts));
        Benchmark bench = new Benchmark(options);
        Runtime.getRuntime().addShutdownHook(new Thread(bench::stopInfrastructure, "bench-stop"));
        bench.run();
    }

    private String opt(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    private int intOpt(String name, int fallback) {
        return Integer.parseInt(opt(name, Integer.toString(fallback)).replace("_", "").replace(",", ""));
    }

    private void run() throws Exception {
        Files.createDirectories(work);
        List<String> runs = Arrays.asList(opt("runs", "main,misrouted,sequential,one-partition,half-load").split(","));
        int n = intOpt("n", 100_000);
        int issues = intOpt("issues", 10_000);
        int partitions = intOpt("partitions", 6);
        int seqN = intOpt("seq-n", 2_000);
        int oneIssues = intOpt("one-partition-issues", 1_000);
        int oneN = intOpt("one-partition-n", 20_000);
        // Long enough for the JIT to settle: 40-57 s after start, under load, compilation still took 40-46% of
        // the service's CPU (async-profiler), so a short warm-up measured the JVM's start, not the bridge.
        int warmup = intOpt("warmup", Math.max(200, Math.min(360_000, n * 18 / 5)));
        Set jfrRuns = new Set(opt("jfr", "none"));

        startBroker();
        startSandbox();
        Instant started = Instant.now();
        if (runs.contains("main")) {
            measure(new RunSpec("main", partitions, issues, n, warmup, 0, Map.of()), jfrRuns.has("main"));
        }
        if (runs.contains("misrouted")) {
            // As main, but no command is on its issue's home partition: the cost of forwarding (and of the
            // bridge.routing.order-window wait of forwarded copies), next to the well-keyed main run.
            // At --misrouted-rate (default 0, as fast as possible): a paced run measures what forwarding and the
            // wait for order add to a caught-up bridge's latency, next to half-load at the same --half-rate.
            int misroutedN = intOpt("misrouted-n", Math.min(n, 20_000));
            measure(new RunSpec(MISROUTED, partitions, issues, misroutedN, Math.min(warmup, 2 * misroutedN),
                    Double.parseDouble(opt("misrouted-rate", "0")), Map.of()), jfrRuns.has(MISROUTED));
        }
        if (runs.contains("sequential")) {
            measure(new RunSpec("sequential", 1, oneIssues, seqN, Math.min(warmup, 100), 0,
                    // No linger either: a plain blocking consumer sends each write at once.
                    Map.of("bridge.max-in-flight", "1", "bridge.producer.linger", "0")), jfrRuns.has("sequential"));
        }
        if (runs.contains("one-partition")) {
            measure(new RunSpec("one-partition", 1, oneIssues, oneN, Math.min(warmup, 240_000), 0, Map.of()),
                    jfrRuns.has("one-partition"));
        }
        if (runs.contains("half-load")) {
            double max = results.stream().filter(r -> r.spec().name().equals("main")).mapToDouble(RunResult::throughput)
                    .findFirst().orElse(Double.parseDouble(opt("half-rate", "2500")) * 2);
            double rate = Math.floor(max / 2);
            int seconds = intOpt("half-load-seconds", 20);
            measure(new RunSpec("half-load", partitions, issues, (int) (rate * seconds), warmup, rate, Map.of()),
                    jfrRuns.has("half-load"));
        }
        // Issue 15's rows (a) and (b): a short warm-up of their own (the service's JIT, not a steady state at
        // thousands a second, is what these latencies need), unless --warmup says otherwise.
        int shortWarmup = intOpt("warmup", 20_000);
        if (runs.contains("hot")) {
            int hotN = intOpt("hot-n", 600);
            // The others paced (100/s by default), so that their reply time is each one's latency, not how fast the
            // machine drains a burst; 0 produces them as fast as possible.
            double hotRate = Double.parseDouble(opt("hot-rate", "100"));
            RunSpec without = new RunSpec("hot-without", partitions, issues, hotN, shortWarmup, hotRate, Map.of(),
                    Mix.HOT_WITHOUT);
            RunSpec with = new RunSpec("hot-with", partitions, issues, 2 * hotN, shortWarmup, hotRate, Map.of(),
                    Mix.HOT_WITH);
            // --hot-first=with swaps the order: "without" ran first and was the slower in 4 of 5 runs.
            boolean withFirst = opt("hot-first", "without").equals("with");
            measure(withFirst ? with : without, false);
            measure(withFirst ? without : with, false);
        }
        if (runs.contains("hot-pairs")) {
            hotPairs = new HotPairs(intOpt("hot-pairs", 4), intOpt("hot-n", 600));
            measure(new RunSpec("hot-pairs", partitions, issues, hotPairs.commands().size(), shortWarmup,
                    Double.parseDouble(opt("hot-rate", "100")), Map.of(), Mix.HOT_PAIRS), false);
        }
        if (runs.contains("priority")) {
            measure(new RunSpec("priority", partitions, issues, intOpt("priority-backlog", 10_000) + 1, shortWarmup, 0,
                    Map.of(), Mix.PRIORITY), false);
        }
        if (runs.contains("budget")) {
            measureBudget(intOpt("budget-n", 900), opt("budget-rules", "300/5s,150/5s/writes"));
        }
        String report = Report.markdown(this, started);
        System.out.println(report);
        Path out = Path.of(opt("out", "docs/BENCHMARKS.md"));
        if (!opt("out", "").equals("none")) {
            Report.write(out, report);
            System.out.println("Written to " + out.toAbsolutePath());
        }
    }

    /** A tiny set of run names from a comma-separated option. */
    private record Set(String csv) {
        boolean has(String name) {
            return Arrays.asList(csv.split(",")).contains(name);
        }
    }

    // ------------------------------------------------------------------------------ infrastructure

    private void startBroker() throws Exception {
        int port = freePort();
        int controllerPort = freePort();
        Path dir = work.resolve("kafka-" + System.currentTimeMillis());
        Files.createDirectories(dir);
        Properties props = SingleNodeBroker.settings(dir.resolve("data"), controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        Path config = dir.resolve("server.properties");
        try (Writer w = Files.newBufferedWriter(config)) {
            props.store(w, "issuetrak-bridge benchmark broker");
        }
        List<String> java = List.of(javaBin(), "-Xms512m", "-Xmx512m", "-cp", classpath);
        Process format = new ProcessBuilder(concat(java, List.of("kafka.tools.StorageTool", "format", "--cluster-id",
                Uuid.randomUuid().toString(), "--config", config.toString(), "--standalone")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("format.log").toFile()).start();
        if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
            throw new IllegalStateException("formatting the broker's storage failed; see " + dir.resolve("format.log"));
        }
        broker = ChildProcess.start("broker", concat(java, List.of("kafka.Kafka", config.toString())),
                dir.resolve("broker.log"));
        bootstrap = "127.0.0.1:" + port;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000", AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                    "2000"))) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                break;
            } catch (Exception notYet) {
                if (!broker.alive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker did not start; see " + broker.log());
                }
                Thread.sleep(500);
            }
        }
        log("broker %s on %s", broker, bootstrap);
        brokerRoundTrip = Workload.produceRoundTrip(bootstrap, 300);
        log("broker round trip (one record, acks=all, linger 0, sent one after another): %s", brokerRoundTrip);
    }

    private void startSandbox() throws Exception {
        // The harness's own class path: the sandbox classes plus jboss-logging, which the packaged app keeps in lib/boot.
        // It keeps every note in memory, and the check lists them all at once: 256 MB could not list the
        // 220,000 notes of a run and its warm-up within a minute (the warm-up's notes are now deleted first).
        sandbox = ChildProcess.start("sandbox", List.of(javaBin(), "-Xmx1g",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-cp", classpath,
                "io.issuetrakbridge.sandbox.SandboxMain", "--port=0", "--api-key=" + apiKey,
                "--latency-ms=" + latencyMs, "--event-loops=" + opt("sandbox-event-loops", "1"),
                // A knee (issue 15): 0 workers is no knee.
                "--workers=" + opt("sandbox-workers", "0"), "--queue-limit=" + opt("sandbox-queue-limit", "1000")),
                work.resolve("logs/sandbox.log"));
        sandboxUrl = sandbox.awaitOutput(Pattern.compile("sandbox\\.base-url=(\\S+)"), Duration.ofSeconds(60));
        log("sandbox %s on %s, latency %d ms", sandbox, sandboxUrl, latencyMs);
    }

    private void stopInfrastructure() {
        if (sandbox != null) {
            sandbox.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    // ---------------------------------------------------------------------------------------- runs

    /** The run whose producer puts every command on a partition that is not its issue's home. */
    static final String MISROUTED = "misrouted";

    /** Which commands a run measures; the warm-up is always uniform over the run's issues. */
    enum Mix {
        /** Over the run's issues at random. */
        UNIFORM,
        /** Issue 15 (a): n commands over 300 issues of their own. */
        HOT_WITHOUT,
        /** Issue 15 (a): n/2 commands of one hot issue at once, then the same n/2 commands over 300 issues. */
        HOT_WITH,
        /** Issue 15 (a) as alternating segments on one service ({@link HotPairs}). */
        HOT_PAIRS,
        /** Issue 15 (b): n-1 commands over the run's issues, then one high-priority command of an issue of its own. */
        PRIORITY
    }

    /** Issue numbers of the hot and priority runs, apart from the warm-up's (1..K) and below the sandbox's 1,000,000. */
    static final long HOT_ISSUE = 950_000;
    static final long HOT_OTHERS_FIRST = 900_001;
    static final int HOT_OTHERS = 300;
    static final long PRIORITY_ISSUE = 990_000;

    /** One run's parameters; {@code rate} 0 means as fast as the producer goes. */
    record RunSpec(String name, int partitions, int issues, int n, int warmup, double rate,
            Map<String, String> serviceProps, Mix mix) {
        RunSpec(String name, int partitions, int issues, int n, int warmup, double rate, Map<String, String> serviceProps) {
            this(name, partitions, issues, n, warmup, rate, serviceProps, Mix.UNIFORM);
        }

        RunSpec named(String other) {
            return new RunSpec(other, partitions, issues, n, warmup, rate, serviceProps, mix);
        }
    }

    /** The warm-up and then the measured commands of a run, numbered 0..warmup+n-1. */
    private List<Workload.Command> commandsOf(RunSpec spec) {
        int total = spec.warmup() + spec.n();
        if (spec.mix() == Mix.UNIFORM) {
            return Workload.commands(total, spec.issues(), 1, 42);
        }
        List<Workload.Command> all = new ArrayList<>(Workload.commands(spec.warmup(), spec.issues(), 1, 42));
        List<Workload.Command> measured = new ArrayList<>();
        switch (spec.mix()) {
            case HOT_PAIRS -> measured.addAll(hotPairs.commands());
            case HOT_WITHOUT -> measured.addAll(Workload.commands(spec.n(), HOT_OTHERS, HOT_OTHERS_FIRST, 7));
            case HOT_WITH -> {
                for (int i = 0; i < spec.n() / 2; i++) {
                    measured.add(new Workload.Command(0, HOT_ISSUE, i));
                }
                measured.addAll(Workload.commands(spec.n() / 2, HOT_OTHERS, HOT_OTHERS_FIRST, 7));
            }
            case PRIORITY -> {
                // The backlog's issues are the warm-up's; their sequence numbers start again (order is checked
                // among measured commands only).
                measured.addAll(Workload.commands(spec.n() - 1, spec.issues(), 1, 43));
                measured.add(new Workload.Command(0, PRIORITY_ISSUE, 0, true));
            }
            default -> throw new IllegalStateException(spec.mix().name());
        }
        all.addAll(Workload.from(spec.warmup(), measured));
        return all;
    }

    /**
     * Waits (up to 60 s) until the service has fetched all {@code backlog} records: those it holds unfinished
     * ({@code issuetrak_bridge_commands_in_flight}) plus those already answered. Logs what it saw.
     */
    private void awaitFetched(ChildProcess service, int backlog, java.util.function.LongSupplier answered)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        double held = 0;
        long done = 0;
        while (System.nanoTime() < deadline) {
            done = answered.getAsLong();
            held = ServiceMetrics.gauge(managementPorts.get(service.pid()), "issuetrak_bridge_commands_in_flight");
            if (held + done >= backlog) {
                break;
            }
            Thread.sleep(20);
        }
        log("priority: %.0f records held and %,d answered of a backlog of %,d when the priority command is produced",
                held, done, backlog);
    }

    /** The hot and priority runs' own figures: the other issues' reply times, the priority command's latency. */
    private void findings(RunSpec spec, List<Workload.Command> commands, Workload.Collector c, long[] commandTime) {
        int from = spec.warmup();
        int to = from + spec.n();
        switch (spec.mix()) {
            case HOT_WITHOUT, HOT_WITH -> {
                RunResult.Latency others = RunResult.endToEnd(c, commandTime,
                        java.util.stream.IntStream.range(from, to).filter(i -> commands.get(i).issue() != HOT_ISSUE));
                String hot = "";
                if (spec.mix() == Mix.HOT_WITH) {
                    RunResult.Latency h = RunResult.endToEnd(c, commandTime,
                            java.util.stream.IntStream.range(from, to).filter(i -> commands.get(i).issue() == HOT_ISSUE));
                    hot = String.format(Locale.ROOT, "; the hot issue's %,d commands: end-to-end %s", spec.n() / 2, h);
                }
                findings.add(String.format(Locale.ROOT, "%s: the %,d commands over %d other issues: end-to-end %s%s",
                        spec.name(), spec.mix() == Mix.HOT_WITH ? spec.n() / 2 : spec.n(), HOT_OTHERS, others, hot));
            }
            case HOT_PAIRS -> hotPairFindings(commands, c, commandTime, from);
            case PRIORITY -> {
                int p = to - 1;
                long answeredAfter = java.util.stream.IntStream.range(from, p)
                        .filter(i -> c.replyAppendTime[i] > c.replyAppendTime[p]).count();
                RunResult.Latency backlog = RunResult.endToEnd(c, commandTime, java.util.stream.IntStream.range(from, p));
                String latency = c.replyAppendTime[p] < 0 ? "no reply"
                        : (c.replyAppendTime[p] - commandTime[p]) + " ms";
                findings.add(String.format(Locale.ROOT, "priority: the high-priority command, produced after a backlog of "
                        + "%,d: end-to-end %s (command on the broker to its reply on the broker); %,d of the backlog "
                        + "were answered after it; the backlog's end-to-end %s", spec.n() - 1, latency, answeredAfter,
                        backlog));
            }
            default -> {
                // nothing beyond the run's own figures
            }
        }
        log("%s", findings.get(findings.size() - 1));
    }

    /**
     * The hot-pairs run's segments one after another: each one's hot backlog (if any) at once, then its others at the
     * run's rate, and the next only once all of it is answered. False if a segment was not answered within 120 s.
     */
    private boolean produceSegments(RunSpec spec, Workload workload, List<Workload.Command> commands,
            long[] commandTime) throws Exception {
        for (HotPairs.Segment s : hotPairs.segments()) {
            int from = spec.warmup() + s.from();
            int backlogEnd = spec.warmup() + s.backlogEnd();
            int to = spec.warmup() + s.to();
            workload.produce(commands.subList(from, backlogEnd), 0, commandTime);
            workload.produce(commands.subList(backlogEnd, to), spec.rate(), commandTime);
            if (!workload.collector().awaitAnswered(to, Duration.ofSeconds(120))) {
                return false;
            }
            log("hot-pairs: segment %s%s answered", s.kind(), s.measured() ? "" : " (not measured)");
        }
        return true;
    }

    /** Per segment, per pair, and pooled per kind: the others' reply times; the hot issues' too. */
    private void hotPairFindings(List<Workload.Command> commands, Workload.Collector c, long[] commandTime, int first) {
        List<HotPairs.Segment> segments = hotPairs.segments();
        java.util.function.Function<HotPairs.Segment, java.util.stream.IntStream> others = s -> java.util.stream.IntStream
                .range(first + s.backlogEnd(), first + s.to());
        List<String> pairs = new ArrayList<>();
        for (int i = 1; i + 1 < segments.size(); i += 2) {
            HotPairs.Segment a = segments.get(i);
            HotPairs.Segment b = segments.get(i + 1);
            RunResult.Latency la = RunResult.endToEnd(c, commandTime, others.apply(a));
            RunResult.Latency lb = RunResult.endToEnd(c, commandTime, others.apply(b));
            RunResult.Latency with = a.hot() ? la : lb;
            RunResult.Latency without = a.hot() ? lb : la;
            RunResult.Latency hot = RunResult.endToEnd(c, commandTime, java.util.stream.IntStream.range(
                    first + (a.hot() ? a : b).from(), first + (a.hot() ? a : b).backlogEnd()));
            pairs.add(String.format(Locale.ROOT, "pair %d (%s first): without %s; with %s; p99 with/without %.2f; "
                    + "the hot issue's end-to-end %s", (i + 1) / 2, a.kind(), without, with, with.p99() / without.p99(),
                    hot));
        }
        RunResult.Latency without = RunResult.endToEnd(c, commandTime, segments.stream()
                .filter(s -> s.measured() && !s.hot()).flatMapToInt(others::apply));
        RunResult.Latency with = RunResult.endToEnd(c, commandTime, segments.stream()
                .filter(s -> s.measured() && s.hot()).flatMapToInt(others::apply));
        long perKind = segments.stream().filter(s -> s.measured() && s.hot()).mapToInt(s -> s.to() - s.backlogEnd())
                .sum();
        findings.addAll(pairs);
        findings.add(String.format(Locale.ROOT, "hot-pairs, pooled over %d pairs (%,d commands of the others per kind): "
                + "without the hot issue %s; next to it %s; p99 with/without %.2f", pairs.size(), perKind, without, with,
                with.p99() / without.p99()));
        pairs.forEach(p -> log("%s", p));
    }

    private void measure(RunSpec spec, boolean jfr) throws Exception {
        String tag = spec.name() + "-" + Long.toString(System.currentTimeMillis(), 36);
        log("run %s: %,d commands over %,d issues on %d partition(s), warm-up %,d%s %s", spec.name(), spec.n(),
                spec.issues(), spec.partitions(), spec.warmup(),
                spec.rate() > 0 ? String.format(Locale.ROOT, ", at %.0f/s", spec.rate()) : ", as fast as possible",
                spec.serviceProps());
        SandboxCheck.reset(sandboxUrl);
        Workload.Topics topics = Workload.Topics.of("bench-" + tag);
        int total = spec.warmup() + spec.n();
        List<Workload.Command> commands = commandsOf(spec);
        long[] commandTime = new long[total];
        Path jfrFile = work.resolve("profile-" + spec.name() + ".jfr");
        try (Workload workload = new Workload(bootstrap, topics, spec.partitions(), tag, total,
                MISROUTED.equals(spec.name()));
                ChildProcess service = startService(spec, topics, tag, jfr ? jfrFile : null)) {
            while (!workload.collector().ready()) {
                Thread.sleep(20);
            }
            // As fast as possible whatever the run's rate: the warm-up is there for the JIT, and only its end counts.
            workload.produce(commands.subList(0, spec.warmup()), 0, commandTime);
            // 90 s, or longer for a long warm-up (--warmup): at least 500 commands a second.
            if (!workload.collector().awaitAnswered(spec.warmup(), Duration.ofSeconds(Math.max(90, spec.warmup() / 500)))) {
                throw new IllegalStateException("warm-up stalled at " + workload.collector().answered.get() + " of "
                        + spec.warmup() + "; see " + service.log());
            }
            // Every warm-up command is answered, so no POST of theirs is in flight: their notes can go.
            SandboxCheck.reset(sandboxUrl);
            // Marks the measured part in the log: the moment to attach a profiler (jcmd, asprof) to the service.
            log("run %s: warm-up answered; measuring %,d commands (service pid %d)", spec.name(), spec.n(),
                    service.pid());
            ServiceMetrics.Scrape metrics0 = ServiceMetrics.scrape(managementPorts.get(service.pid()));
            long serviceCpu0 = service.cpuNanos();
            long sandboxCpu0 = sandbox.cpuNanos();
            long brokerCpu0 = broker.cpuNanos();
            long harnessCpu0 = ChildProcess.cpuNanos(ProcessHandle.current().pid());
            long machine0 = ChildProcess.machineBusyNanos();
            long wall0 = System.nanoTime();
            // The hot issue's backlog goes at once, ahead of the others, which follow at the run's rate.
            int backlogEnd = spec.warmup() + (spec.mix() == Mix.HOT_WITH ? spec.n() / 2 : 0);
            if (spec.mix() == Mix.PRIORITY) {
                // The backlog first; the priority command once the service holds the backlog (fetched, waiting for
                // the window), which is where a priority lane can act: a command still behind thousands of records
                // in Kafka is seen only when the bridge reads that far, whatever its priority.
                backlogEnd = total - 1;
                workload.produce(commands.subList(spec.warmup(), backlogEnd), 0, commandTime);
                awaitFetched(service, spec.n() - 1, () -> workload.collector().answered.get() - spec.warmup());
            } else if (spec.mix() != Mix.HOT_PAIRS) {
                workload.produce(commands.subList(spec.warmup(), backlogEnd), 0, commandTime);
            }
            boolean complete;
            if (spec.mix() == Mix.HOT_PAIRS) {
                complete = produceSegments(spec, workload, commands, commandTime);
            } else {
                workload.produce(commands.subList(backlogEnd, total), spec.rate(), commandTime);
                complete = workload.collector().awaitAnswered(total, Duration.ofSeconds(Math.max(60, spec.n() / 200)));
            }
            long wall = System.nanoTime() - wall0;
            RunResult.Cpu cpu = new RunResult.Cpu(service.cpuNanos() - serviceCpu0, sandbox.cpuNanos() - sandboxCpu0,
                    broker.cpuNanos() - brokerCpu0,
                    ChildProcess.cpuNanos(ProcessHandle.current().pid()) - harnessCpu0,
                    ChildProcess.machineBusyNanos() - machine0, wall, ChildProcess.loadAverage());
            long rss = service.peakRssBytes();
            ServiceMetrics.Requests requests = ServiceMetrics.between(metrics0,
                    ServiceMetrics.scrape(managementPorts.get(service.pid())));
            service.close();
            SandboxCheck.Verdict verdict = SandboxCheck.check(sandboxUrl, tag, spec.warmup(), total);
            String sandboxStats = SandboxCheck.stats(sandboxUrl).toString();
            RunResult result = RunResult.of(spec, workload.collector(), commandTime, latencyMs, cpu, rss, verdict,
                    complete, sandboxStats, requests);
            results.add(result);
            log("%s", result.summary());
            if (spec.mix() != Mix.UNIFORM) {
                findings(spec, commands, workload.collector(), commandTime);
            }
            if (jfr && Files.exists(jfrFile)) {
                Profile.Summary profile = Profile.summarise(jfrFile, 15);
                profiles.put(spec.name(), profile);
                log("profile of %s: %d samples, top frames %s", spec.name(), profile.samples(),
                        profile.selfFrames().subList(0, Math.min(5, profile.selfFrames().size())));
            }
        }
    }

    /**
     * Three services of one consumer group on one request budget, which the sandbox enforces too: how much of the
     * budget the group spends on a backlog, and how many 429s it meets.
     */
    private void measureBudget(int n, String rules) throws Exception {
        String tag = "budget-" + Long.toString(System.currentTimeMillis(), 36);
        int partitions = 6;
        log("run budget: %,d commands over %,d issues on %d partitions, 3 services, rules %s", n, n, partitions, rules);
        SandboxCheck.reset(sandboxUrl);
        SandboxCheck.rateLimits(sandboxUrl, rules);
        Workload.Topics topics = Workload.Topics.of("bench-" + tag);
        List<Workload.Command> commands = Workload.commands(n, n, 1, 42);
        long[] commandTime = new long[n];
        RunSpec spec = new RunSpec("budget", partitions, n, n, 0, 0, Map.of("issuetrak.budget.rules", rules,
                "bridge.max-in-flight", "16", "issuetrak.max-connections", "16"));
        List<ChildProcess> services = new ArrayList<>();
        try (Workload workload = new Workload(bootstrap, topics, partitions, tag, n, false)) {
            while (!workload.collector().ready()) {
                Thread.sleep(20);
            }
            for (int i = 1; i <= 3; i++) {
                // A log of its own each: three JVMs writing one file left one readable log.
                services.add(startService(spec.named("budget-" + i), topics, tag, null));
            }
            // Ready is not settled: the third service's join rebalanced the group after all three were ready, while the
            // backlog drained (seen in the services' logs). Measure a stable group of three, each with its share.
            Map<Integer, Integer> perPartition = new LinkedHashMap<>();
            commands.forEach(c -> perPartition.merge(Utils.toPositive(Utils.murmur2(Long.toString(c.issue())
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8))) % partitions, 1, Integer::sum));
            List<List<Integer>> assignment = awaitStableGroup("bench-" + tag, 3);
            int busiest = assignment.stream().mapToInt(ps -> ps.stream().mapToInt(p -> perPartition.getOrDefault(p, 0))
                    .sum()).max().orElse(n);
            // The readiness polls of start-up count too: measure the backlog only.
            SandboxCheck.rateLimits(sandboxUrl, rules);
            long servicesCpu0 = services.stream().mapToLong(ChildProcess::cpuNanos).sum();
            long sandboxCpu0 = sandbox.cpuNanos();
            long brokerCpu0 = broker.cpuNanos();
            long harnessCpu0 = ChildProcess.cpuNanos(ProcessHandle.current().pid());
            long machine0 = ChildProcess.machineBusyNanos();
            long wall0 = System.nanoTime();
            workload.produce(commands, 0, commandTime);
            double tightest = tightestPerSecond(rules);
            boolean complete = workload.collector().awaitAnswered(n,
                    Duration.ofSeconds(60 + (long) (2 * n / tightest)));
            RunResult.Cpu cpu = new RunResult.Cpu(services.stream().mapToLong(ChildProcess::cpuNanos).sum() - servicesCpu0,
                    sandbox.cpuNanos() - sandboxCpu0, broker.cpuNanos() - brokerCpu0,
                    ChildProcess.cpuNanos(ProcessHandle.current().pid()) - harnessCpu0,
                    ChildProcess.machineBusyNanos() - machine0, System.nanoTime() - wall0, ChildProcess.loadAverage());
            services.forEach(ChildProcess::close);
            SandboxCheck.Verdict verdict = SandboxCheck.check(sandboxUrl, tag, 0, n);
            // As in the other runs: from the first command on the broker to the last reply on the broker.
            RunResult r = RunResult.of(spec, workload.collector(), commandTime, latencyMs, cpu, 0, verdict, complete,
                    "", null);
            budgetResult = String.format(Locale.ROOT, "rules `%s`, %,d commands%s in %.1f s: %.1f notes/s, %.0f%% of "
                    + "the tightest rule's %.0f/s; per rule %s; end-to-end %s; duplicates %d, missing %d, errors %d; "
                    + "CPU (cores): 3 services %.2f, sandbox %.2f, broker %.2f, harness %.2f, other processes %.2f "
                    + "(load %.1f); partitions per service %s, commands per partition %s: the busiest service had %,d "
                    + "for its third of the budget, so at most %.0f%% of the tightest rule over the whole drain", rules, n, complete ? "" : " (INCOMPLETE)", r.seconds(), r.throughput(),
                    100 * r.throughput() / tightest, tightest, SandboxCheck.rateLimitStats(sandboxUrl), r.endToEnd(),
                    verdict.duplicates(), verdict.missing(), r.errors(), cpu.cores(cpu.serviceNanos()),
                    cpu.cores(cpu.sandboxNanos()), cpu.cores(cpu.brokerNanos()), cpu.cores(cpu.harnessNanos()),
                    cpu.cores(cpu.othersNanos()), cpu.loadAverage(), assignment, perPartition, busiest,
                    100.0 * n / (3.0 * busiest));
            log("budget: %s", budgetResult);
        } finally {
            services.forEach(ChildProcess::close);
            SandboxCheck.rateLimits(sandboxUrl, "");
        }
    }

    /** Waits until the group is stable with {@code members} members, each owning partitions; returns their partitions. */
    private List<List<Integer>> awaitStableGroup(String group, int members) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                        .get(10, TimeUnit.SECONDS);
                List<List<Integer>> owned = d.members().stream().map(m -> m.assignment().topicPartitions().stream()
                        .map(TopicPartition::partition).sorted().toList()).toList();
                if (d.groupState() == GroupState.STABLE && owned.size() == members
                        && owned.stream().noneMatch(List::isEmpty)) {
                    log("group %s stable: partitions per member %s", group, owned);
                    return owned;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("group " + group + " not stable with " + members + " members: " + d);
                }
                Thread.sleep(200);
            }
        }
    }

    /** The sustained rate of the tightest rule in a list such as {@code 300/5s,150/5s/writes}, per second. */
    private static double tightestPerSecond(String rules) {
        return io.issuetrakbridge.sandbox.RateLimits.parse(rules).stream()
                .mapToDouble(r -> r.limit() * 1e9 / r.window().toNanos()).min().orElse(Double.MAX_VALUE);
    }

    private ChildProcess startService(RunSpec spec, Workload.Topics topics, String tag, Path jfr) throws Exception {
        int httpPort = freePort();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("kafka.bootstrap.servers", bootstrap);
        props.put("kafka.group.id", "bench-" + tag);
        props.put("issuetrak.base-url", sandboxUrl);
        props.put("issuetrak.api-key", apiKey);
        props.put("bridge.topics.commands", topics.commands());
        props.put("bridge.topics.replies", topics.replies());
        props.put("bridge.topics.errors", topics.errors());
        props.put("bridge.topics.dead-letters", topics.deadLetters());
        props.put("bridge.topics.ledger", topics.ledger());
        props.put("quarkus.http.port", Integer.toString(httpPort));
        // Health is on the management interface (its own port, 9000 by default): a free one per service.
        int managementPort = freePort();
        props.put("quarkus.management.port", Integer.toString(managementPort));
        // The harness's own window and pool, whatever the service's defaults (16 each): figures stay comparable.
        props.put("bridge.max-in-flight", "256");
        props.put("issuetrak.max-connections", "256");
        props.putAll(spec.serviceProps());
        // A --service-opt=-Dkey=value wins over the harness's value of that key: the JVM keeps the last -D of a key, and
        // ours came after the options, so -Dissuetrak.max-connections=4 ran with 256 (the knee sweep's first point).
        for (String extra : opt("service-opts", "").split(" ")) {
            if (extra.startsWith("-D") && extra.indexOf('=') > 2) {
                props.remove(extra.substring(2, extra.indexOf('=')));
            }
        }
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx" + opt("xmx", "256m")));
        if (jfr != null) {
            Files.deleteIfExists(jfr);
            // From the JVM's start, so the profile includes the warm-up. Started mid-run instead (jcmd JFR.start,
            // even with execution samples only) it cost the measured window half its throughput.
            cmd.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,dumponexit=true");
        }
        for (String extra : opt("service-opts", "").split(" ")) {
            if (!extra.isBlank()) {
                cmd.add(extra);
            }
        }
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", appDir.resolve("quarkus-run.jar").toString()));
        ChildProcess service = ChildProcess.start("service", cmd, work.resolve("logs/service-" + spec.name() + ".log"));
        managementPorts.put(service.pid(), managementPort);
        HttpClient http = HttpClient.newHttpClient();
        URI ready = URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!service.alive() || System.nanoTime() > deadline) {
                service.close();
                throw new IllegalStateException("the service did not become ready; see " + service.log());
            }
            Thread.sleep(200);
        }
        log("service %s ready (%s)", service, String.join(" ", cmd.subList(1, cmd.size() - 2)).replace(apiKey, "****"));
        return service;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[bench %tT] %s%n", System.currentTimeMillis(),
                String.format(Locale.ROOT, format, args));
    }

    // --------------------------------------------------------------------------------- for Report

    List<RunResult> results() {
        return results;
    }

    Map<String, Profile.Summary> profiles() {
        return profiles;
    }

    Map<String, String> options() {
        return options;
    }

    /** Lines about parts of the hot and priority runs. */
    List<String> findings() {
        return findings;
    }

    /** The budget run's result line, or null when it did not run. */
    String budgetResult() {
        return budgetResult;
    }

    RunResult.Latency brokerRoundTrip() {
        return brokerRoundTrip;
    }

    long latencyMs() {
        return latencyMs;
    }
}
