package io.issuetrakbridge.routing;

import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * How far one commands partition has been routed, as its owner publishes it on the routing marks topic.
 *
 * @param topic the commands topic: bridges of several commands topics may share one marks topic
 * @param partition the commands partition q the mark is about (the record's key is {@code <topic>/<q>})
 * @param horizon epoch milliseconds H: every record on q with a record timestamp at or before H has been read and,
 *        if it was not on its home partition, forwarded (its copy on the broker)
 * @param needs per commands partition h, the position h's owner must have read up to (every record below it) before
 *        it trusts this mark: past the last copy forwarded from q to h, and for h = q past what the horizon covers
 * @param written when the mark was made, epoch milliseconds (operators)
 */
@RegisterForReflection
public record Mark(String topic, int partition, long horizon, Map<Integer, Long> needs, long written) {

    public Mark {
        needs = Map.copyOf(needs);
    }

    /** The position {@code home}'s owner must have read up to before it trusts this mark; 0 when nothing. */
    public long needs(int home) {
        return needs.getOrDefault(home, 0L);
    }
}
