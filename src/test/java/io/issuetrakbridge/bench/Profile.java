package io.issuetrakbridge.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording of the service: where its CPU samples land (top frame, "self"), which
 * library the sampled code belongs to, and which of our own methods are on the stack ("total").
 * The same figures {@code jfr print --events jdk.ExecutionSample} gives, counted.
 */
final class Profile {

    record Row(String name, long samples, double percent) {
    }

    record Summary(long samples, List<Row> selfFrames, List<Row> libraries, List<Row> ownFramesTotal,
            long gcPauseMillis, long gcCount) {
    }

    private Profile() {
    }

    static Summary summarise(Path jfr, int top) throws Exception {
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> library = new HashMap<>();
        Map<String, Long> ownTotal = new HashMap<>();
        long samples = 0;
        long gcPauseNanos = 0;
        long gcCount = 0;
        try (RecordingFile file = new RecordingFile(jfr)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                String type = event.getEventType().getName();
                if (type.equals("jdk.GarbageCollection")) {
                    gcCount++;
                    gcPauseNanos += event.getDuration("sumOfPauses").toNanos();
                    continue;
                }
                if (!type.equals("jdk.ExecutionSample")) {
                    continue;
                }
                RecordedStackTrace stack = event.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                samples++;
                RecordedFrame topFrame = stack.getFrames().get(0);
                self.merge(method(topFrame), 1L, Long::sum);
                library.merge(library(topFrame.getMethod().getType().getName()), 1L, Long::sum);
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (RecordedFrame frame : stack.getFrames()) {
                    String m = method(frame);
                    if (m.startsWith("io.issuetrakbridge.") && seen.add(m)) {
                        ownTotal.merge(m, 1L, Long::sum);
                    }
                }
            }
        }
        return new Summary(samples, rows(self, samples, top), rows(library, samples, top),
                rows(ownTotal, samples, top), gcPauseNanos / 1_000_000, gcCount);
    }

    private static String method(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    /** The library a class belongs to, by package: enough to tell Kafka from Netty from our own code. */
    static String library(String className) {
        String[][] known = {
                { "io.issuetrakbridge.", "bridge (our code)" },
                { "org.apache.kafka.", "Kafka clients" },
                { "io.netty.", "Netty" },
                { "io.vertx.", "Vert.x" },
                { "io.smallrye.mutiny.", "Mutiny" },
                { "io.smallrye.reactive.messaging.", "SmallRye Reactive Messaging" },
                { "io.smallrye.", "SmallRye (other)" },
                { "com.fasterxml.jackson.", "Jackson" },
                { "io.micrometer.", "Micrometer" },
                { "io.quarkus.", "Quarkus" },
                { "com.sun.crypto.", "JDK crypto (HMAC)" },
                { "sun.security.", "JDK crypto (HMAC)" },
                { "javax.crypto.", "JDK crypto (HMAC)" },
                { "sun.nio.", "JDK NIO" },
                { "java.util.concurrent.", "JDK concurrency" },
                { "java.time.", "JDK java.time" },
                { "java.", "JDK (other)" },
                { "jdk.", "JDK (other)" },
                { "sun.", "JDK (other)" },
        };
        for (String[] k : known) {
            if (className.startsWith(k[0])) {
                return k[1];
            }
        }
        return "other";
    }

    private static List<Row> rows(Map<String, Long> counts, long total, int top) {
        List<Row> rows = new ArrayList<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long> comparingByValue().reversed())
                .limit(top)
                .forEach(e -> rows.add(new Row(e.getKey(), e.getValue(), 100.0 * e.getValue() / Math.max(1, total))));
        return rows;
    }
}
