package io.issuetrakbridge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class LedgerIndexTest {

    @Test
    void answersWhatWasPutAndNothingElse() {
        LedgerIndex index = new LedgerIndex();
        index.put("cmd-1", LedgerEntry.pending(7));
        index.put("cmd-2", LedgerEntry.created(7, 501));

        assertThat(index.get("cmd-1")).contains(LedgerEntry.pending(7));
        assertThat(index.get("cmd-2")).contains(LedgerEntry.created(7, 501));
        assertThat(index.get("cmd-3")).isEmpty();
        assertThat(index.get("CMD-1")).as("IDs are compared exactly, case included").isEmpty();
        assertThat(index.get("cmd-")).as("a prefix is another ID").isEmpty();
        assertThat(index.size()).isEqualTo(2);
    }

    @Test
    void aLaterEntryReplacesTheEarlierOne() {
        LedgerIndex index = new LedgerIndex();
        index.put("cmd-1", LedgerEntry.pending(7));
        index.put("cmd-1", LedgerEntry.created(7, 501));

        assertThat(index.get("cmd-1")).contains(LedgerEntry.created(7, 501));
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void idsAreTheirUtf8Bytes() {
        LedgerIndex index = new LedgerIndex();
        index.put("bestätigung-ü", LedgerEntry.created(1, 10));
        index.put("bestatigung-u", LedgerEntry.created(1, 11));

        assertThat(index.get("bestätigung-ü")).contains(LedgerEntry.created(1, 10));
        assertThat(index.get("bestatigung-u")).contains(LedgerEntry.created(1, 11));
        index.remove("bestätigung-ü".getBytes(StandardCharsets.UTF_8));
        assertThat(index.get("bestätigung-ü")).isEmpty();
        assertThat(index.get("bestatigung-u")).contains(LedgerEntry.created(1, 11));
    }

    @Test
    void refusesKeysThatAreNoCommandIds() {
        LedgerIndex index = new LedgerIndex();
        byte[] huge = new byte[LedgerIndex.MAX_ID_BYTES + 1];
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> index.put(huge, LedgerEntry.pending(1)))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] largest = new byte[LedgerIndex.MAX_ID_BYTES];
        Arrays.fill(largest, (byte) 'x');
        index.put(largest, LedgerEntry.created(1, 2));
        assertThat(index.get(new String(largest, StandardCharsets.UTF_8))).contains(LedgerEntry.created(1, 2));
    }

    @Test
    void notesOfAnIssueAreTheCreatedOnesOfThatIssue() {
        LedgerIndex index = new LedgerIndex();
        index.put("a", LedgerEntry.created(7, 501));
        index.put("b", LedgerEntry.created(7, 502));
        index.put("c", LedgerEntry.pending(7));
        index.put("d", LedgerEntry.created(8, 503));

        assertThat(index.notesOf(7)).containsExactlyInAnyOrder(501L, 502L);
        assertThat(index.notesOf(9)).isEmpty();
    }

    /**
     * Puts, replacements and removals at random against a HashMap, across many resizes and chunks: every
     * ID must answer exactly what the map does, before and after each removal, and after compaction.
     */
    @Test
    void behavesLikeAMapThroughGrowthRemovalAndCompaction() {
        Random random = new Random(42);
        LedgerIndex index = new LedgerIndex();
        Map<String, LedgerEntry> model = new HashMap<>();
        int ids = 20_000;
        for (int step = 0; step < 200_000; step++) {
            String id = "cmd-" + random.nextInt(ids) + "-" + "x".repeat(random.nextInt(30));
            int action = random.nextInt(10);
            if (action < 6) {
                LedgerEntry entry = random.nextBoolean() ? LedgerEntry.pending(random.nextInt(50))
                        : LedgerEntry.created(random.nextInt(50), 1 + random.nextInt(1_000_000));
                index.put(id, entry);
                model.put(id, entry);
            } else if (action < 8) {
                index.remove(id.getBytes(StandardCharsets.UTF_8));
                model.remove(id);
            } else {
                assertThat(index.get(id)).isEqualTo(Optional.ofNullable(model.get(id)));
            }
        }
        assertThat(index.size()).isEqualTo(model.size());
        assertThat(index.garbage()).as("removed records' bytes").isPositive();
        LedgerIndex compacted = index.compacted();
        assertThat(compacted.garbage()).isZero();
        assertThat(compacted.size()).isEqualTo(model.size());
        model.forEach((id, entry) -> assertThat(index.get(id)).as(id).contains(entry));
        model.forEach((id, entry) -> assertThat(compacted.get(id)).as(id).contains(entry));
        for (long issue = 0; issue < 50; issue++) {
            long wanted = issue;
            Set<Long> notes = new java.util.HashSet<>();
            model.values().stream().filter(e -> e.isCreated() && e.issueNumber() == wanted)
                    .forEach(e -> notes.add(e.noteId()));
            assertThat(index.notesOf(issue)).as("issue %d", issue).isEqualTo(notes);
        }
    }
}
