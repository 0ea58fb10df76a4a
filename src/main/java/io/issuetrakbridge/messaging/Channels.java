package io.issuetrakbridge.messaging;

/**
 * Channel names, shared by code and tests. Topics are configured per channel in properties
 * ({@code bridge.topics.*}), never named in code.
 */
public final class Channels {

    /** Incoming note-creation commands; its failure strategy writes the dead letters. */
    public static final String COMMANDS = "commands";
    /** Outgoing NoteID replies (and KafkaRequestReply answers, routed by their headers). */
    public static final String REPLIES = "replies";
    /** Outgoing error replies. */
    public static final String ERRORS = "errors";

    private Channels() {
    }
}
