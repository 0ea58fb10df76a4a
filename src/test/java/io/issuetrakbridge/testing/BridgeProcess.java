package io.issuetrakbridge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}) running as a separate OS
 * process, as in production: configured only through system properties, stopped with a real
 * SIGTERM ({@link #sigterm}) or SIGKILL ({@link #sigkill}). Its console goes to a log file under
 * {@code target/it-logs/}, kept after the test for diagnosis and read by the test for log lines.
 */
public final class BridgeProcess implements AutoCloseable {

    /** The fast-jar launcher {@code package} builds. */
    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final Path LOG_DIR = Path.of("target", "it-logs");
    private static final Pattern LISTENING = Pattern.compile("Listening on: https?://[^\\s,]+:(\\d+)");
    private static final Pattern MANAGEMENT = Pattern.compile("Management interface listening on https?://[^\\s,]+:(\\d+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Process process;
    private final Path log;
    private volatile int httpPort = -1;

    private BridgeProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts the service with {@code config} as system properties, after the defaults of
     * {@link #baseConfig}. Returns at once; use {@link #awaitReady} before relying on it.
     *
     * @param name unique within the test run: names the log file
     */
    public static BridgeProcess start(String name, Map<String, String> config) {
        return start(name, config, Map.of());
    }

    /**
     * As {@link #start(String, Map)}, with {@code environment} added to the inherited environment: for
     * settings an operator gives as environment variables (a Kubernetes ConfigMap), e.g.
     * {@code QUARKUS_LOG_CONSOLE_JSON_ENABLED}.
     */
    public static BridgeProcess start(String name, Map<String, String> config, Map<String, String> environment) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: integration tests run after `package` (mvn verify)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Small and frugal: the machine running the tests also runs the broker and the sandbox.
        command.add("-Xmx384m");
        command.add("-XX:+UseSerialGC");
        config.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        try {
            Files.createDirectories(LOG_DIR);
            Path log = LOG_DIR.resolve(name + ".log");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            return new BridgeProcess(name, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    /**
     * What every test process needs: the broker, the sandbox, topics and group, random HTTP ports,
     * and short timings (the test profile's, which the packaged prod profile does not have).
     */
    public static Map<String, String> baseConfig(String bootstrap, String issuetrakBaseUrl, String apiKey,
            BridgeTopics topics) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", bootstrap);
        config.put("issuetrak.base-url", issuetrakBaseUrl);
        config.put("issuetrak.api-key", apiKey);
        config.putAll(topics.config());
        config.put("quarkus.http.port", "0");
        config.put("quarkus.management.port", "0");
        config.put("issuetrak.request-timeout", "2s");
        config.put("bridge.retry.initial-delay", "20ms");
        config.put("bridge.retry.max-delay", "400ms");
        config.put("bridge.retry.budget", "30s");
        config.put("bridge.pause.probe-interval", "200ms");
        config.put("bridge.shutdown-grace", "15s");
        // A SIGKILLed member is noticed after the session timeout; the broker's minimum keeps tests short.
        config.put("mp.messaging.incoming.commands.session.timeout.ms", "6000");
        config.put("mp.messaging.incoming.commands.heartbeat.interval.ms", "1000");
        return config;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return log;
    }

    /** The console output so far. */
    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines of the console output so far that contain {@code fragment}. */
    public List<String> logLines(String fragment) {
        return logText().lines().filter(line -> line.contains(fragment)).toList();
    }

    /** Waits for a line containing {@code fragment}; fails early if the process dies first. */
    public void awaitLog(String fragment, Duration timeout) {
        Awaitility.await(name + " logs \"" + fragment + "\"").atMost(timeout).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    boolean found = logText().contains(fragment);
                    if (!found && !process.isAlive()) {
                        throw new IllegalStateException(name + " exited with " + process.exitValue()
                                + " before logging \"" + fragment + "\"; see " + log.toAbsolutePath());
                    }
                    return found;
                });
    }

    /** The HTTP port it listens on (it starts on port 0), once it has said so. */
    public int httpPort() {
        if (httpPort < 0) {
            awaitLog("Listening on:", Duration.ofSeconds(90));
            Matcher m = LISTENING.matcher(logText());
            if (!m.find()) {
                throw new IllegalStateException(name + ": no port in the \"Listening on\" line; see " + log);
            }
            httpPort = Integer.parseInt(m.group(1));
        }
        return httpPort;
    }

    /** The management port (health, metrics, replay), once it has said so. */
    public int managementPort() {
        httpPort();
        Matcher m = MANAGEMENT.matcher(logText());
        if (!m.find()) {
            throw new IllegalStateException(name + ": no management port in its start-up line; see " + log);
        }
        return Integer.parseInt(m.group(1));
    }

    /** Waits until {@code /q/health/ready} answers 200: Kafka connected, Issuetrak accepting our key. */
    public void awaitReady(Duration timeout) {
        int port = managementPort();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(10)).build();
        Awaitility.await(name + " ready").atMost(timeout).pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see "
                                + log.toAbsolutePath());
                    }
                    return HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                });
    }

    /** Sends SIGTERM ({@link Process#destroy()} on Unix) and returns the exit code once it has exited. */
    public int sigterm(Duration timeout) {
        process.destroy();
        return awaitExit(timeout);
    }

    /** Sends SIGKILL: no shutdown hook, no commit, no flush. Returns the exit code (137). */
    public int sigkill() {
        process.destroyForcibly();
        return awaitExit(Duration.ofSeconds(30));
    }

    private int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " still runs " + timeout + " after the signal; see "
                        + log.toAbsolutePath());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Kills it if it still runs: a failed test must not leave processes behind. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", log " + log + ")";
    }
}
