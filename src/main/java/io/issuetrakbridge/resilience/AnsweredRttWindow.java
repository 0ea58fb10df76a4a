package io.issuetrakbridge.resilience;

import com.netflix.concurrency.limits.limit.window.SampleWindow;

/**
 * One window of samples for the Vegas limit in which only answered requests are timed; congestion answers
 * (429, 503, a timeout) are counted and mark the window as dropped, but their time is left out.
 *
 * <p>Why: the library's average window mixes both, and a 503 that Issuetrak answers in 1 ms while 20 ms
 * requests are normal pulls the window's time far below the no-load latency. Vegas takes any window faster than
 * its no-load latency as the new no-load latency and returns before it looks at the drop, so a 503 storm
 * (a) never shrinks the limit (the simulation held 13 for ~1,300 answers, ~85% of them 503) and (b) leaves a
 * no-load latency of a few ms behind, against which every normal answer afterwards reads as a deep queue (the
 * limit then fell to 3 against a knee of 10).
 *
 * <p>A window holding only congestion answers has no time of its own: it reports the longest time there is, so
 * Vegas sees "slower than no-load, with a drop" and shrinks. Should a rare Vegas probe take that value as its
 * no-load latency, the next answered window is faster and replaces it at once.
 *
 * @param minRtt the shortest time of any sample, congestion answers included: the library sizes the next
 *        window from it
 * @param answeredSum summed time of the answered samples
 * @param answered how many samples were answered
 */
record AnsweredRttWindow(long minRtt, long answeredSum, int answered, int samples, int maxInFlight, boolean dropped)
        implements SampleWindow {

    static final AnsweredRttWindow EMPTY = new AnsweredRttWindow(Long.MAX_VALUE, 0, 0, 0, 0, false);

    @Override
    public AnsweredRttWindow addSample(long rtt, int inflight, boolean drop) {
        return new AnsweredRttWindow(Math.min(minRtt, rtt),
                drop ? answeredSum : answeredSum + rtt,
                drop ? answered : answered + 1,
                samples + 1,
                Math.max(maxInFlight, inflight),
                dropped || drop);
    }

    @Override
    public long getCandidateRttNanos() {
        return minRtt;
    }

    @Override
    public long getTrackedRttNanos() {
        return answered == 0 ? Long.MAX_VALUE : answeredSum / answered;
    }

    @Override
    public int getMaxInFlight() {
        return maxInFlight;
    }

    @Override
    public int getSampleCount() {
        return samples;
    }

    @Override
    public boolean didDrop() {
        return dropped;
    }
}
