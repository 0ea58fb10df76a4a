package io.issuetrakbridge.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The service's own view of its Issuetrak calls, read from its Prometheus endpoint: the time of each request at the
 * sandbox ({@code issuetrak_bridge_issuetrak_requests_seconds}, every operation and status) and the current
 * concurrency limit. Two scrapes bracket the measured window; their difference excludes the warm-up.
 */
final class ServiceMetrics {

    private static final String REQUESTS = "issuetrak_bridge_issuetrak_requests_seconds";
    private static final String LIMIT = "issuetrak_bridge_issuetrak_concurrency_limit";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Cumulative counts of one scrape: requests, their total seconds, per bucket bound, and the limit gauge. */
    record Scrape(double count, double sumSeconds, TreeMap<Double, Double> buckets, double limit) {
    }

    /** The measured window's Issuetrak requests: how many, mean, p50 and p99 (bucket bounds, ms), the limit at its end. */
    record Requests(long count, double meanMs, double p50Ms, double p99Ms, double limitAtEnd) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%,d requests, mean %.1f / p50 <= %.1f / p99 <= %.1f ms, limit at end %.0f",
                    count, meanMs, p50Ms, p99Ms, limitAtEnd);
        }
    }

    private ServiceMetrics() {
    }

    static Scrape scrape(int managementPort) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/metrics"))
                .timeout(Duration.ofSeconds(10)).build();
        String body = HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
        double count = 0;
        double sum = 0;
        double limit = Double.NaN;
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            if (line.startsWith(REQUESTS + "_bucket{")) {
                String le = line.substring(line.indexOf("le=\"") + 4, line.indexOf('"', line.indexOf("le=\"") + 4));
                buckets.merge(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), value, Double::sum);
            } else if (line.startsWith(REQUESTS + "_count{")) {
                count += value;
            } else if (line.startsWith(REQUESTS + "_sum{")) {
                sum += value;
            } else if (line.startsWith(LIMIT)) {
                limit = value;
            }
        }
        return new Scrape(count, sum, buckets, limit);
    }

    /** The value of an untagged gauge, e.g. {@code issuetrak_bridge_commands_in_flight}; NaN when absent. */
    static double gauge(int managementPort, String name) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/metrics"))
                .timeout(Duration.ofSeconds(10)).build();
        for (String line : HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    /** What happened between two scrapes of one service. */
    static Requests between(Scrape before, Scrape after) {
        long count = Math.round(after.count() - before.count());
        TreeMap<Double, Double> delta = new TreeMap<>();
        for (Map.Entry<Double, Double> e : after.buckets().entrySet()) {
            delta.put(e.getKey(), e.getValue() - before.buckets().getOrDefault(e.getKey(), 0.0));
        }
        return new Requests(count, count == 0 ? Double.NaN : (after.sumSeconds() - before.sumSeconds()) * 1000 / count,
                bound(delta, 0.50 * count), bound(delta, 0.99 * count), after.limit());
    }

    /** The smallest bucket bound (ms) whose cumulative count reaches {@code rank}. */
    private static double bound(TreeMap<Double, Double> cumulative, double rank) {
        for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            if (e.getValue() >= rank) {
                return e.getKey() * 1000;
            }
        }
        return Double.NaN;
    }
}
