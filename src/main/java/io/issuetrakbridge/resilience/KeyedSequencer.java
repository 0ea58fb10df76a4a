package io.issuetrakbridge.resilience;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * Runs tasks for the same key one after another, in submission order, and tasks for different keys
 * concurrently. This is what keeps notes of one issue in command order while a single partition
 * still runs hundreds of issues at once.
 * <p>
 * Why our own and not SmallRye's {@code throttled.ordered=key} (4.33): that mode orders by the
 * Kafka record key and needs {@code @Blocking(ordered = false)}, i.e. one worker thread per
 * concurrent command. We order by IssueNumber whatever key the producer chose, and stay on the
 * event loop: 256 in-flight commands cost 256 small futures, not 256 threads.
 */
public final class KeyedSequencer<K> {

    private final ConcurrentHashMap<K, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    /**
     * Runs {@code task} once every task submitted earlier for {@code key} has finished (either way).
     * Must be called in submission order for the order to hold: the caller's stream does that.
     */
    public <T> Uni<T> submit(K key, Supplier<Uni<T>> task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<Void> previous = tails.put(key, done);
        Uni<Void> turn = previous == null
                ? Uni.createFrom().voidItem()
                : Uni.createFrom().completionStage(previous);
        return turn.chain(() -> task.get())
                .onTermination().invoke(() -> {
                    // Drop the entry only if no later task queued behind us: keeps the map at the
                    // number of issues with work in flight, not every issue ever seen.
                    tails.remove(key, done);
                    done.complete(null);
                });
    }

    /** Keys with a task running or queued. */
    public int activeKeys() {
        return tails.size();
    }
}
