package io.issuetrakbridge.replay;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import io.issuetrakbridge.routing.CommandRouter;

/**
 * The headers of a replayed command: the dead letter's, without SmallRye's and the bridge's
 * dead-letter-* headers (they describe a failure, not the command), with {@code replay-count} raised.
 * The CommandId header stays, so the bridge's ledger recognises an already-succeeded command. The mark of a
 * forwarded copy goes: a replay is routed afresh, like any command produced to the topic (routing/CommandRouter).
 */
public final class ReplayHeaders {

    /**
     * Times a command has been replayed. The bridge's dead-letter handler copies a command's headers,
     * so a replayed command that fails again carries its count back into the dead-letter topic.
     */
    public static final String REPLAY_COUNT = "replay-count";

    private static final String DEAD_LETTER_PREFIX = "dead-letter-";

    private ReplayHeaders() {
    }

    /** The replay-count a record carries; 0 when absent or not a non-negative whole number. */
    public static int replayCount(Headers headers) {
        Header h = headers.lastHeader(REPLAY_COUNT);
        if (h == null || h.value() == null) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(new String(h.value(), StandardCharsets.UTF_8).trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The headers to produce a dead letter's command with, replayed for the {@code count}-th time. */
    static Headers forReplay(Headers deadLetter, int count) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : deadLetter) {
            if (!h.key().startsWith(DEAD_LETTER_PREFIX) && !h.key().equals(REPLAY_COUNT)
                    && !h.key().equals(CommandRouter.FORWARDED_FROM_HEADER)) {
                headers.add(h);
            }
        }
        headers.add(REPLAY_COUNT, Integer.toString(count).getBytes(StandardCharsets.UTF_8));
        return headers;
    }
}
