package io.issuetrakbridge.resilience;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * Counts work in progress and lets a closing party wait until it is over: the basis of handing a
 * partition over on rebalance and of draining on shutdown.
 */
public final class InFlight {

    private final AtomicInteger count = new AtomicInteger();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean closed;

    /** Runs {@code work} counted, or fails with {@code whenClosed} once {@link #close()} was called. */
    public <T> Uni<T> run(Supplier<Uni<T>> work, Supplier<RuntimeException> whenClosed) {
        return Uni.createFrom().deferred(() -> {
            count.incrementAndGet();
            if (closed) {
                exit();
                return Uni.createFrom().failure(whenClosed.get());
            }
            return work.get().onTermination().invoke(this::exit);
        });
    }

    private void exit() {
        if (count.decrementAndGet() == 0) {
            if (closed) {
                drained.complete(null);
            }
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /**
     * Blocks until no work is in progress (new work is still accepted), or the timeout passed; true
     * when idle.
     */
    public synchronized boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (count.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Refuses new work from now on. */
    public void close() {
        closed = true;
        if (count.get() == 0) {
            drained.complete(null);
        }
    }

    public boolean isClosed() {
        return closed;
    }

    public int count() {
        return count.get();
    }

    /** Blocks until the work started before {@link #close()} has ended, or the timeout passed; true when drained. */
    public boolean awaitDrained(Duration timeout) {
        try {
            drained.get(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }
}
