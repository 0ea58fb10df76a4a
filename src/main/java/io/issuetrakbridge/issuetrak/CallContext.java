package io.issuetrakbridge.issuetrak;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import io.issuetrakbridge.scheduling.Priority;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;

/**
 * The command a piece of work serves: its ID and issue number for log lines, its trace context
 * (continued from the command's {@code traceparent}) for the Issuetrak call and the reply, and its priority for
 * the gates its requests wait at (the concurrency limit and the request budget).
 * <p>
 * Passed explicitly rather than kept in a thread-local: a command's retries, reconciliation and
 * publishing run on whatever thread completes the previous step, so neither OpenTelemetry's current
 * context nor the MDC would follow it.
 *
 * @param commandId the resolved command ID; null only for calls that serve no command (the probe)
 * @param issueNumber the command's IssueNumber, or null when not known (an invalid command)
 * @param trace the command's trace context; {@link Context#root()} when tracing is off or absent
 * @param priority the command's effective priority ({@code ce_priority}, with priority inheritance); every request
 *        serving it (the create, reconciliation reads, retries) waits in that lane; {@link Priority#NORMAL} for
 *        work that serves no command
 */
public record CallContext(String commandId, Long issueNumber, Context trace, Priority priority) {

    /** MDC keys set on every line logged through {@link #log}: JSON logs carry them as fields. */
    public static final String MDC_COMMAND_ID = "commandId";
    public static final String MDC_ISSUE_NUMBER = "issueNumber";
    public static final String MDC_TRACE_ID = "traceId";

    private static final CallContext NONE = new CallContext(null, null, Context.root());

    public CallContext {
        trace = trace == null ? Context.root() : trace;
        priority = priority == null ? Priority.NORMAL : priority;
    }

    /** In the normal lane: replies, dead letters, invalid commands and work that reaches no gate. */
    public CallContext(String commandId, Long issueNumber, Context trace) {
        this(commandId, issueNumber, trace, Priority.NORMAL);
    }

    /** Work that serves no command, e.g. the readiness probe. */
    public static CallContext none() {
        return NONE;
    }

    public static CallContext of(String commandId, Long issueNumber) {
        return new CallContext(commandId, issueNumber, Context.root());
    }

    /** The trace ID to log, or null when there is no valid trace. */
    public String traceId() {
        SpanContext span = Span.fromContext(trace).getSpanContext();
        return span.isValid() ? span.getTraceId() : null;
    }

    /**
     * Logs one line about this command: the text starts with {@code command <id> on issue <n>:} and
     * the MDC carries {@code commandId}, {@code issueNumber} and {@code traceId} for the JSON format.
     * The MDC is set and cleared around this one call, on this thread, so nothing leaks to the next
     * line whatever thread or Vert.x context it runs on.
     */
    public void log(Logger logger, Logger.Level level, Throwable failure, String format, Object... args) {
        if (!logger.isEnabled(level)) {
            return;
        }
        Object previousCommand = MDC.get(MDC_COMMAND_ID);
        Object previousIssue = MDC.get(MDC_ISSUE_NUMBER);
        Object previousTrace = MDC.get(MDC_TRACE_ID);
        try {
            put(MDC_COMMAND_ID, commandId);
            put(MDC_ISSUE_NUMBER, issueNumber == null ? null : issueNumber.toString());
            put(MDC_TRACE_ID, traceId());
            logger.logf(level, failure, prefix() + format, args);
        } finally {
            restore(MDC_COMMAND_ID, previousCommand);
            restore(MDC_ISSUE_NUMBER, previousIssue);
            restore(MDC_TRACE_ID, previousTrace);
        }
    }

    public void debug(Logger logger, String format, Object... args) {
        log(logger, Logger.Level.DEBUG, null, format, args);
    }

    public void info(Logger logger, String format, Object... args) {
        log(logger, Logger.Level.INFO, null, format, args);
    }

    public void warn(Logger logger, String format, Object... args) {
        log(logger, Logger.Level.WARN, null, format, args);
    }

    public void error(Logger logger, Throwable failure, String format, Object... args) {
        log(logger, Logger.Level.ERROR, failure, format, args);
    }

    private String prefix() {
        if (commandId == null) {
            return "";
        }
        // The command ID is free text from the producer: keep it from breaking the format string.
        String id = commandId.replace("%", "%%");
        return issueNumber == null ? "command " + id + ": " : "command " + id + " on issue " + issueNumber + ": ";
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    private static void restore(String key, Object previous) {
        if (previous == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, previous);
        }
    }
}
