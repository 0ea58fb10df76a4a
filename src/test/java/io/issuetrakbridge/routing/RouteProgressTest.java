package io.issuetrakbridge.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RouteProgressTest {

    @Test
    void aNewTenureNeedsWhatWasOnEveryPartitionAtItsStartAndHasNoHorizon() {
        RouteProgress progress = new RouteProgress("commands", 1, 10, Map.of(0, 4L, 1, 12L, 2, 7L));
        Mark mark = progress.mark(99);
        assertThat(mark.partition()).isEqualTo(1);
        assertThat(mark.horizon()).isEqualTo(Long.MIN_VALUE);
        // Its own partition: what its prefix covers (the position), not the end.
        assertThat(mark.needs()).isEqualTo(Map.of(0, 4L, 1, 10L, 2, 7L));
        assertThat(mark.written()).isEqualTo(99);
        assertThat(progress.read()).isEqualTo(10);
    }

    @Test
    void theHorizonFollowsTheRoutedPrefixNotTheRecordsRead() {
        RouteProgress progress = new RouteProgress("commands", 1, 10, Map.of());
        progress.read(10, 1_000, false);
        progress.read(11, 1_005, true);
        progress.read(12, 1_003, false);
        assertThat(progress.read()).isEqualTo(13);
        Mark mark = progress.mark(0);
        // 11 is being forwarded: the prefix ends before it.
        assertThat(mark.horizon()).isEqualTo(1_000);
        assertThat(mark.needs()).isEqualTo(Map.of(1, 11L));

        progress.forwarded(11, 2, 20);
        mark = progress.mark(0);
        assertThat(mark.horizon()).isEqualTo(1_005);
        assertThat(mark.needs()).isEqualTo(Map.of(1, 13L, 2, 21L));
    }

    @Test
    void aPartitionRoutedToItsEndIsCaughtUpAtTheTimeTheEndWasAskedFor() {
        RouteProgress progress = new RouteProgress("commands", 0, 5, Map.of());
        progress.end(5, 7_000);
        assertThat(progress.mark(0).horizon()).isEqualTo(7_000);
        progress.read(5, 6_500, true);
        // The end moved past the prefix: not caught up at 8000.
        progress.end(6, 8_000);
        assertThat(progress.mark(0).horizon()).isEqualTo(7_000);
        progress.forwarded(5, 1, 3);
        progress.end(6, 9_000);
        assertThat(progress.mark(0).horizon()).isEqualTo(9_000);
        assertThat(progress.mark(0).needs()).isEqualTo(Map.of(0, 6L, 1, 4L));
    }

    @Test
    void aCopyReportedTwiceOrAfterALaterOneKeepsTheHighestPosition() {
        RouteProgress progress = new RouteProgress("commands", 0, 0, Map.of(2, 30L));
        progress.read(0, 100, true);
        progress.read(1, 101, true);
        progress.forwarded(1, 2, 40);
        progress.forwarded(0, 2, 35);
        assertThat(progress.mark(0).needs()).isEqualTo(Map.of(0, 2L, 2, 41L));
        assertThat(progress.mark(0).horizon()).isEqualTo(101);
    }

    @Test
    void aNewOwnerTakesThePredecessorsCopiesFromTheMarkWhosePrefixReachesItsStart() {
        // Partition 1's predecessor published three marks; it committed up to 40 before it died.
        Mark early = new Mark("commands", 1, 1_000, Map.of(0, 5L, 1, 30L, 2, 9L), 1);
        Mark covering = new Mark("commands", 1, 1_100, Map.of(0, 8L, 1, 44L, 2, 12L), 2);
        Mark latest = new Mark("commands", 1, 1_200, Map.of(0, 11L, 1, 52L, 2, 15L), 3);
        Mark otherPartition = new Mark("commands", 2, 1_300, Map.of(0, 1L, 2, 60L), 4);
        List<Mark> marks = List.of(latest, otherPartition, early, covering);

        assertThat(RouteProgress.predecessor(marks, 1, 40)).contains(covering);
        assertThat(RouteProgress.predecessor(marks, 1, 30)).contains(early);
        assertThat(RouteProgress.predecessor(marks, 1, 53)).isEmpty();

        // Without the predecessor's mark, every partition's end when it was assigned.
        RouteProgress progress = new RouteProgress("commands", 1, 40, Map.of(0, 20L, 1, 70L, 2, 25L));
        assertThat(progress.mark(0).needs()).isEqualTo(Map.of(0, 20L, 1, 40L, 2, 25L));
        progress.read(40, 1_150, true);
        progress.forwarded(40, 2, 13);
        progress.inherit(covering);
        // Its own copy to 2 (13) is past the predecessor's (12); 0 needs what the predecessor's copies need.
        assertThat(progress.mark(0).needs()).isEqualTo(Map.of(0, 8L, 1, 41L, 2, 14L));
        assertThat(progress.mark(0).horizon()).isEqualTo(1_150);
    }

    @Test
    void aMarkThatDoesNotReachTheStartCannotBeInherited() {
        RouteProgress progress = new RouteProgress("commands", 1, 40, Map.of());
        assertThatIllegalArgumentException()
                .isThrownBy(() -> progress.inherit(new Mark("commands", 1, 1_000, Map.of(1, 39L), 1)));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> progress.inherit(new Mark("commands", 2, 1_000, Map.of(2, 90L), 1)));
    }
}
