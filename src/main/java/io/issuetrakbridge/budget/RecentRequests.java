package io.issuetrakbridge.budget;

/**
 * When this instance's latest requests left, to report how much of each rule's window is used (a metric, and the
 * rule a 429 is charged to). Keeps as many times as the largest limit it is asked about: a window never holds more.
 */
final class RecentRequests {

    private final long[] sentAt;
    private int next;
    private int size;

    RecentRequests(long capacity) {
        this.sentAt = new long[(int) Math.max(1, Math.min(capacity, 1_000_000))];
    }

    synchronized void sent(long now) {
        sentAt[next] = now;
        next = (next + 1) % sentAt.length;
        size = Math.min(size + 1, sentAt.length);
    }

    /** Requests sent in the window of this length that ends now. */
    synchronized int within(long windowNanos, long now) {
        int count = 0;
        for (int i = 1; i <= size; i++) {
            long at = sentAt[Math.floorMod(next - i, sentAt.length)];
            if (now - at >= windowNanos) {
                break;
            }
            count++;
        }
        return count;
    }
}
