package io.issuetrakbridge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class LedgerWindowTest {

    private static final long HOUR = Duration.ofHours(1).toMillis();
    /** Eight one-hour generations. */
    private static final Duration RETENTION = Duration.ofHours(8);
    private static final long T0 = 1_000 * HOUR;

    private static byte[] id(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void remembersACommandForTheRetentionThenForgetsIt() {
        LedgerWindow window = new LedgerWindow(RETENTION);
        window.put(id("old"), LedgerEntry.created(1, 10), T0, T0);

        window.put(id("later"), LedgerEntry.created(1, 11), T0 + 7 * HOUR, T0 + 7 * HOUR);
        assertThat(window.get("old")).as("7 h later, within 8 h").contains(LedgerEntry.created(1, 10));

        window.put(id("latest"), LedgerEntry.created(1, 12), T0 + 9 * HOUR, T0 + 9 * HOUR);
        assertThat(window.get("old")).as("9 h later").isEmpty();
        assertThat(window.get("later")).contains(LedgerEntry.created(1, 11));
        assertThat(window.get("latest")).contains(LedgerEntry.created(1, 12));
    }

    @Test
    void memoryStaysWithinTheRetentionHoweverLongItRuns() {
        LedgerWindow window = new LedgerWindow(RETENTION);
        for (int minute = 0; minute < 7 * 24 * 60; minute++) {
            long now = T0 + minute * 60_000L;
            window.put(id("cmd-" + minute), LedgerEntry.created(minute, minute + 1), now, now);
        }
        assertThat(window.generations()).isLessThanOrEqualTo(LedgerWindow.GENERATIONS + 1);
        assertThat(window.size()).as("a week of one command a minute, 8 h kept").isBetween(8 * 60, 9 * 60);
    }

    @Test
    void theLatestWriteWinsEvenWithAnOlderTimeStamp() {
        LedgerWindow window = new LedgerWindow(RETENTION);
        window.put(id("cmd"), LedgerEntry.pending(1), T0 + 2 * HOUR, T0 + 2 * HOUR);
        // CREATED written by an instance whose clock is an hour behind: still the command's latest state.
        window.put(id("cmd"), LedgerEntry.created(1, 10), T0 + HOUR, T0 + 2 * HOUR);

        assertThat(window.get("cmd")).contains(LedgerEntry.created(1, 10));
    }

    @Test
    void aLaterStateInANewerGenerationShadowsTheOlderOne() {
        LedgerWindow window = new LedgerWindow(RETENTION);
        window.put(id("cmd"), LedgerEntry.pending(1), T0, T0);
        window.put(id("cmd"), LedgerEntry.created(1, 10), T0 + 3 * HOUR, T0 + 3 * HOUR);

        assertThat(window.generations()).isEqualTo(2);
        assertThat(window.get("cmd")).contains(LedgerEntry.created(1, 10));
        assertThat(window.notesOf(1)).containsExactly(10L);
    }

    @Test
    void restoredEntriesOlderThanTheRetentionAreNotKept() {
        LedgerWindow window = new LedgerWindow(RETENTION);
        long now = T0 + 20 * HOUR;

        assertThat(window.put(id("stale"), LedgerEntry.created(1, 10), now - 10 * HOUR, now)).isFalse();
        assertThat(window.put(id("fresh"), LedgerEntry.created(1, 11), now - 6 * HOUR, now)).isTrue();
        assertThat(window.get("stale")).isEmpty();
        assertThat(window.get("fresh")).contains(LedgerEntry.created(1, 11));
    }

    @Test
    void aTombstoneForgetsTheCommandInEveryGenerationAndCompactionKeepsTheRest() {
        LedgerWindow window = new LedgerWindow(RETENTION);
        window.put(id("gone"), LedgerEntry.pending(1), T0, T0);
        window.put(id("kept"), LedgerEntry.created(2, 20), T0, T0);
        window.put(id("gone"), LedgerEntry.created(1, 10), T0 + 2 * HOUR, T0 + 2 * HOUR);
        window.remove(id("gone"));

        assertThat(window.get("gone")).isEmpty();
        assertThat(window.hasGarbage()).isTrue();
        LedgerWindow compacted = window.compacted();
        assertThat(compacted.hasGarbage()).isFalse();
        assertThat(compacted.get("gone")).isEmpty();
        assertThat(compacted.get("kept")).contains(LedgerEntry.created(2, 20));
        assertThat(compacted.notesOf(1)).isEmpty();
        assertThat(compacted.notesOf(2)).containsExactly(20L);
    }
}
