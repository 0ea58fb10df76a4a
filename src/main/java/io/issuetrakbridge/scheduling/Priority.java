package io.issuetrakbridge.scheduling;

/**
 * A command's effective priority, read by the gates its requests wait at (the concurrency limit, the request budget)
 * each time they choose who goes next: it can rise while a request waits, when a high-priority command of the same
 * issue arrives behind it (priority inheritance, {@link CommandScheduler#priority}).
 */
@FunctionalInterface
public interface Priority {

    /** Work in the normal lane: probes, and commands without {@code ce_priority: high}. */
    Priority NORMAL = () -> false;

    /** A {@code ce_priority: high} command. */
    Priority HIGH = () -> true;

    /** Whether the request goes in the priority lane now. */
    boolean high();
}
