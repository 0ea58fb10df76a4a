package io.issuetrakbridge.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;

class KeyedSequencerTest {

    private final KeyedSequencer<Long> sequencer = new KeyedSequencer<>();

    @Test
    void runsOneKeysTasksInOrderAndOtherKeysMeanwhile() {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<String> firstOfA = new CompletableFuture<>();

        sequencer.submit(1L, () -> Uni.createFrom().completionStage(firstOfA).invoke(log::add)).subscribe().with(x -> {
        });
        sequencer.submit(1L, () -> Uni.createFrom().item("a2").invoke(log::add)).subscribe().with(x -> {
        });
        sequencer.submit(2L, () -> Uni.createFrom().item("b1").invoke(log::add)).subscribe().with(x -> {
        });

        // Key 2 ran although key 1's first task is still pending; key 1's second waits its turn.
        assertThat(log).containsExactly("b1");
        assertThat(sequencer.activeKeys()).isEqualTo(1);

        firstOfA.complete("a1");
        assertThat(log).containsExactly("b1", "a1", "a2");
        assertThat(sequencer.activeKeys()).isZero();
    }

    @Test
    void aFailedTaskReleasesTheNextOne() {
        List<String> log = new ArrayList<>();
        sequencer.submit(1L, () -> Uni.createFrom().<String> failure(new IllegalStateException("boom")))
                .subscribe().with(x -> {
                }, f -> log.add("failed"));
        sequencer.submit(1L, () -> Uni.createFrom().item("next").invoke(log::add)).subscribe().with(x -> {
        });
        assertThat(log).containsExactly("failed", "next");
    }
}
