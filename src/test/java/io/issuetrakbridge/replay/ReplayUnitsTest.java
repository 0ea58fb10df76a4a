package io.issuetrakbridge.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.config.ReplayToken;

/** The replay's pure parts: filter, headers, pacing, request validation, token comparison. */
class ReplayUnitsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

    static DeadLetter deadLetter(long offset, String id, String category, String reason, long issue, Instant time) {
        Headers h = new RecordHeaders();
        h.add("CommandId", id.getBytes(StandardCharsets.UTF_8));
        h.add("dead-letter-category", category.getBytes(StandardCharsets.UTF_8));
        h.add("dead-letter-reason", reason.getBytes(StandardCharsets.UTF_8));
        byte[] value = ("{\"IssueNumber\": " + issue + ", \"CreatedBy\": \"bridge\", \"NoteText\": \"t\"}")
                .getBytes(StandardCharsets.UTF_8);
        return DeadLetter.of(new ConsumerRecord<>("dlq", 0, offset, time.toEpochMilli(), TimestampType.CREATE_TIME, 0, 0,
                null, value, h, java.util.Optional.empty()), JSON);
    }

    static ReplayRequest request(List<String> categories, String reason, List<Long> issues, List<String> ids,
            Instant from, Instant to, Long fromOffset, Long toOffset) {
        return new ReplayRequest(true, categories, reason, issues, ids, from, to, null, fromOffset, toOffset, null, null,
                false);
    }

    @Test
    void everyFilterMustMatch() {
        DeadLetter d = deadLetter(7, "c-1", "UNAVAILABLE", "Issuetrak answered 503", 42, T0);
        assertThat(new ReplayFilter(ReplayRequest.everything()).matches(d)).isTrue();
        assertThat(new ReplayFilter(request(List.of("unavailable"), null, null, null, null, null, null, null)).matches(d))
                .as("categories ignore case").isTrue();
        assertThat(new ReplayFilter(request(List.of("REJECTED"), null, null, null, null, null, null, null)).matches(d))
                .isFalse();
        assertThat(new ReplayFilter(request(null, "ANSWERED 5", null, null, null, null, null, null)).matches(d)).isTrue();
        assertThat(new ReplayFilter(request(null, "timeout", null, null, null, null, null, null)).matches(d)).isFalse();
        assertThat(new ReplayFilter(request(null, null, List.of(41L, 42L), null, null, null, null, null)).matches(d))
                .isTrue();
        assertThat(new ReplayFilter(request(null, null, List.of(41L), null, null, null, null, null)).matches(d)).isFalse();
        assertThat(new ReplayFilter(request(null, null, null, List.of("c-1"), null, null, null, null)).matches(d)).isTrue();
        assertThat(new ReplayFilter(request(null, null, null, null, T0, T0.plusSeconds(1), null, null)).matches(d))
                .as("from is inclusive").isTrue();
        assertThat(new ReplayFilter(request(null, null, null, null, T0.minusSeconds(1), T0, null, null)).matches(d))
                .as("to is exclusive").isFalse();
        assertThat(new ReplayFilter(request(null, null, null, null, null, null, 7L, 7L)).matches(d))
                .as("offsets are inclusive").isTrue();
        assertThat(new ReplayFilter(request(null, null, null, null, null, null, 8L, null)).matches(d)).isFalse();
        assertThat(new ReplayFilter(request(List.of("UNAVAILABLE"), null, List.of(1L), null, null, null, null, null))
                .matches(d)).as("filters combine with AND").isFalse();
    }

    @Test
    void aDeadLetterThatIsNotJsonHasNoIssueAndMatchesNoIssueFilter() {
        DeadLetter d = DeadLetter.of(new ConsumerRecord<>("dlq", 0, 1, "k".getBytes(), "[1,".getBytes()), JSON);
        assertThat(d.issueNumber()).isNull();
        assertThat(d.replayCount()).isZero();
        assertThat(new ReplayFilter(request(null, null, List.of(1L), null, null, null, null, null)).matches(d)).isFalse();
        assertThat(new ReplayFilter(ReplayRequest.everything()).matches(d)).isTrue();
    }

    @Test
    void replayHeadersDropTheDeadLetterOnesKeepTheRestAndRaiseTheCount() {
        Headers dl = new RecordHeaders();
        dl.add("dead-letter-reason", "x".getBytes());
        dl.add("dead-letter-topic", "commands".getBytes());
        dl.add("ce_id", "ce-1".getBytes());
        dl.add("replay-count", "2".getBytes());
        dl.add("CommandId", "c-1".getBytes());
        dl.add("bridge-forwarded-from", "2-17".getBytes());
        assertThat(ReplayHeaders.replayCount(dl)).isEqualTo(2);
        Headers out = ReplayHeaders.forReplay(dl, 3);
        assertThat(out.toArray()).extracting(h -> h.key()).containsExactly("ce_id", "CommandId", "replay-count");
        assertThat(new String(out.lastHeader("replay-count").value())).isEqualTo("3");
        assertThat(new String(out.lastHeader("CommandId").value())).isEqualTo("c-1");
    }

    @Test
    void thePacerLetsTheNthRecordGoNoEarlierThanNOverRateSeconds() {
        AtomicLong now = new AtomicLong(1_000);
        RatePacer pacer = new RatePacer(4, now::get);
        assertThat(pacer.next()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(250));
        assertThat(pacer.next()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
        // Late (a slow broker): no catching up beyond the schedule, no negative wait.
        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertThat(pacer.next()).isZero();
    }

    @Test
    void aRequestWithBadFieldsNamesEachOne() {
        ReplayRequest bad = new ReplayRequest(false, List.of("UNAVAILABLE", "BROKEN"), null, null, null,
                T0, T0, -1, 5L, 4L, 0.0, 0, false);
        assertThat(bad.problems()).hasSize(6).anySatisfy(p -> assertThat(p).contains("BROKEN"))
                .anySatisfy(p -> assertThat(p).startsWith("from"))
                .anySatisfy(p -> assertThat(p).startsWith("partition"))
                .anySatisfy(p -> assertThat(p).startsWith("toOffset"))
                .anySatisfy(p -> assertThat(p).startsWith("ratePerSecond"))
                .anySatisfy(p -> assertThat(p).startsWith("limit"));
        assertThat(ReplayRequest.everything().problems()).isEmpty();
    }

    @Test
    void theTokenComparesWholeAndNeverPrints() {
        ReplayToken token = ReplayToken.of("a-long-enough-replay-token");
        assertThat(token.matches("a-long-enough-replay-token")).isTrue();
        assertThat(token.matches("a-long-enough-replay-toke")).isFalse();
        assertThat(token.matches(null)).isFalse();
        assertThat(token.toString()).doesNotContain("replay");
        assertThat(ReplayToken.of("short").strongEnough()).isFalse();
    }
}
