package io.issuetrakbridge.messaging;

/**
 * Channel names, shared by code and tests. Topics are configured in properties ({@code bridge.topics.*}),
 * never named in code. Outcomes and ledger entries are not channels: {@link RecordSender} writes them.
 */
public final class Channels {

    /** Incoming note-creation commands; its failure strategy writes the dead letters. */
    public static final String COMMANDS = "commands";

    private Channels() {
    }
}
