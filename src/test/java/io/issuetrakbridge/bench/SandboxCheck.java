package io.issuetrakbridge.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What Issuetrak (the sandbox) ended up with, read from its admin API: notes per command (exactly
 * one each, or it is a duplicate or a loss) and, per issue, notes in NoteID (creation) order whose
 * per-issue sequence numbers must only grow.
 */
final class SandboxCheck {

    /** @param missing commands of the run with no note; @param duplicates notes beyond the first per command */
    record Verdict(int notes, int missing, int duplicates, int orderViolations) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private SandboxCheck() {
    }

    static void reset(String sandboxUrl) throws Exception {
        send(sandboxUrl, "DELETE", "/notes");
        send(sandboxUrl, "DELETE", "/stats");
    }

    /** Makes the sandbox enforce these rules ({@code 300/5s,150/5s/writes}; blank for none), with fresh counts. */
    static void rateLimits(String sandboxUrl, String rules) throws Exception {
        String list = java.util.Arrays.stream(rules.split(",")).map(String::trim).filter(r -> !r.isEmpty())
                .map(r -> "\"" + r + "\"").collect(java.util.stream.Collectors.joining(","));
        HttpRequest request = HttpRequest.newBuilder(URI.create(sandboxUrl + "/sandbox/admin/rate-limits"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"rules\": [" + list + "]}"))
                .timeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("PUT rate-limits answered " + response.statusCode() + ": " + response.body());
        }
    }

    /** Per rule: requests admitted, 429s, and the most requests in one of its windows. */
    static String rateLimitStats(String sandboxUrl) throws Exception {
        return JSON.readTree(send(sandboxUrl, "GET", "/rate-limits")).path("byRule").toString();
    }

    static JsonNode stats(String sandboxUrl) throws Exception {
        return JSON.readTree(send(sandboxUrl, "GET", "/stats"));
    }

    /**
     * Counts the notes of commands {@code from} (inclusive) to {@code commands} (exclusive): the warm-up's
     * notes are deleted before the measured commands are produced, so that a long warm-up does not fill
     * the sandbox's memory.
     */
    static Verdict check(String sandboxUrl, String runTag, int from, int commands) throws Exception {
        JsonNode notes = JSON.readTree(send(sandboxUrl, "GET", "/notes"));
        int[] perCommand = new int[commands];
        Map<Long, Integer> lastSeqByIssue = new HashMap<>();
        int ours = 0;
        int violations = 0;
        String prefix = "bench|" + runTag + "|";
        // The admin API lists notes by NoteID, i.e. in the order the sandbox created them.
        for (JsonNode note : notes) {
            String text = note.path("NoteText").asText();
            if (!text.startsWith(prefix)) {
                continue;
            }
            ours++;
            String[] f = text.split("\\|");
            int index = Integer.parseInt(f[2]);
            if (index < from) {
                continue;
            }
            long issue = Long.parseLong(f[3]);
            int seq = Integer.parseInt(f[4]);
            if (++perCommand[index] > 1) {
                continue; // counted as a duplicate below; its position says nothing more about order
            }
            Integer last = lastSeqByIssue.put(issue, seq);
            if (last != null && seq < last) {
                violations++;
            }
        }
        int missing = 0;
        int duplicates = 0;
        for (int i = from; i < commands; i++) {
            int count = perCommand[i];
            if (count == 0) {
                missing++;
            } else {
                duplicates += count - 1;
            }
        }
        return new Verdict(ours, missing, duplicates, violations);
    }

    private static String send(String sandboxUrl, String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(sandboxUrl + "/sandbox/admin" + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofMinutes(3))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode());
        }
        return response.body();
    }
}
