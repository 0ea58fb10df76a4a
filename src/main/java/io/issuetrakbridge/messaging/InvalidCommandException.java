package io.issuetrakbridge.messaging;

/**
 * A command that can never succeed as written (VALIDATION). The message says what is wrong and is
 * published to the producer; it never quotes the record's bytes beyond a field name.
 */
public final class InvalidCommandException extends RuntimeException {

    private final String commandId;
    private final Long issueNumber;

    public InvalidCommandException(String message) {
        this(message, null, null);
    }

    private InvalidCommandException(String message, String commandId, Long issueNumber) {
        super(message, null, false, false);
        this.commandId = commandId;
        this.issueNumber = issueNumber;
    }

    /** The same failure, knowing which command it is about. */
    InvalidCommandException about(String commandId, Long issueNumber) {
        return new InvalidCommandException(getMessage(), commandId, issueNumber);
    }

    /** The command's ID when the value got far enough to tell, else null. */
    public String commandId() {
        return commandId;
    }

    /** The IssueNumber when the command had a usable one, for the error reply. */
    public Long issueNumber() {
        return issueNumber;
    }
}
