package io.issuetrakbridge.ledger;

import java.util.List;

/**
 * What a {@link TopicShapeCheck} found.
 *
 * @param ledgerPartitions the ledger topic's partition count, -1 when it does not exist (or was not checked)
 * @param problems what breaks the exactly-once promise, each with the command that fixes it: readiness is DOWN
 * @param warnings what may break a write (a missing replies, errors or dead-letter topic)
 */
public record TopicReport(int ledgerPartitions, List<String> problems, List<String> warnings) {

    /** Whether nothing stands in the way of the ledger. */
    public boolean healthy() {
        return problems.isEmpty();
    }
}
