package io.issuetrakbridge.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * One replay run's progress. Written by the replay thread only, read by HTTP requests at any time:
 * every field is volatile or guarded by this object, and a snapshot may lag by a record.
 */
final class ReplayRun {

    private final String id = UUID.randomUUID().toString();
    private final ReplayRequest request;
    private final ReplayFilter filter;
    private final double rate;
    private final int maxListed;
    private final Instant startedAt = Instant.now();
    private final long startedNanos = System.nanoTime();
    private final CompletableFuture<ReplayStatus> done = new CompletableFuture<>();
    private final List<ReplayEntry> entries = new ArrayList<>();
    private final Map<Integer, Long> positions = new TreeMap<>();
    private volatile ReplayStatus.State state = ReplayStatus.State.RUNNING;
    private volatile boolean cancelRequested;
    private volatile long scanned;
    private volatile long selected;
    private volatile long replayed;
    private volatile long skipped;
    private volatile Instant finishedAt;
    private volatile long finishedNanos;
    private volatile String error;

    ReplayRun(ReplayRequest request, double rate, int maxListed) {
        this.request = request;
        this.filter = new ReplayFilter(request);
        this.rate = rate;
        this.maxListed = maxListed;
    }

    String id() {
        return id;
    }

    ReplayRequest request() {
        return request;
    }

    ReplayFilter filter() {
        return filter;
    }

    double rate() {
        return rate;
    }

    boolean limitReached() {
        return request.limit() != null && replayed >= request.limit();
    }

    void cancel() {
        cancelRequested = true;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    /** Completes with the final status when the run ends, however it ends. */
    CompletableFuture<ReplayStatus> done() {
        return done;
    }

    synchronized void position(int partition, long next) {
        positions.put(partition, next);
    }

    void scanned() {
        scanned++;
    }

    void selected() {
        selected++;
    }

    synchronized void replayed(DeadLetter d) {
        replayed++;
        list(ReplayEntry.of(d, request.dryRun() ? ReplayEntry.Outcome.WOULD_REPLAY : ReplayEntry.Outcome.REPLAYED));
    }

    synchronized void skipped(DeadLetter d) {
        skipped++;
        list(ReplayEntry.of(d, ReplayEntry.Outcome.SKIPPED_MAX_REPLAYS));
    }

    private void list(ReplayEntry entry) {
        if (entries.size() < maxListed) {
            entries.add(entry);
        }
    }

    void finish(ReplayStatus.State end, String failure) {
        finishedNanos = System.nanoTime();
        finishedAt = Instant.now();
        error = failure;
        state = end;
        done.complete(snapshot());
    }

    synchronized ReplayStatus snapshot() {
        long nanos = (state == ReplayStatus.State.RUNNING ? System.nanoTime() : finishedNanos) - startedNanos;
        double seconds = nanos / 1e9;
        return new ReplayStatus(id, state, request.dryRun(), request.resume(), filter.describe(), rate,
                request.limit(), startedAt, finishedAt, scanned, selected, replayed, skipped,
                Duration.ofNanos(nanos).toMillis(), seconds > 0 ? replayed / seconds : 0.0, new TreeMap<>(positions),
                List.copyOf(entries), selected > entries.size(), error);
    }
}
