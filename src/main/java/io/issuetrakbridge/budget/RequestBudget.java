package io.issuetrakbridge.budget;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConfigurationBuilder;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.issuetrakbridge.config.BudgetRule;
import io.issuetrakbridge.config.IssuetrakConfig;
import io.issuetrakbridge.issuetrak.CallContext;
import io.issuetrakbridge.metrics.BridgeMetrics;
import io.issuetrakbridge.scheduling.Priority;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * Spends Issuetrak's request budget ({@code issuetrak.budget.rules}) and never more: every request the client sends
 * passes through {@link #spend}, which waits, without blocking a thread, until each rule the request counts against
 * has room. One Bucket4j bucket holds the rules on all requests, another the rules on writes; a write takes a token
 * from both. Tokens are reserved (the bucket may go into debt), so waiting requests leave in turn, one per token,
 * instead of all waking and racing for the next; each turn goes to the oldest high-priority request waiting, else
 * the oldest ({@link BucketTurns}), so the priority lane holds at the budget too.
 * <p>
 * The buckets hold this instance's allowance of each rule ({@link RuleAllowance}): the rule's limit times the
 * instance's {@link PartitionShare}, recomputed on every rebalance, times the {@link ThrottleBackoff} factor, which
 * a 429 lowers. It also notes when Issuetrak last answered, which readiness reads instead of asking Issuetrak.
 */
@ApplicationScoped
public class RequestBudget {

    private final List<BudgetRule> rules;
    private final double burst;
    private final Duration jitter;
    private final Bucket all;
    private final Bucket writes;
    private final BucketTurns allTurns;
    private final BucketTurns writeTurns;
    private final RecentRequests recentAll;
    private final RecentRequests recentWrites;
    private final ThrottleBackoff backoff = new ThrottleBackoff();
    private final BridgeMetrics metrics;
    private final Map<CallContext, AtomicLong> waitedByCommand = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong lastAnswer = new AtomicLong(Long.MIN_VALUE);
    private volatile PartitionShare share = PartitionShare.UNKNOWN;
    private volatile double appliedFactor = 1.0;
    private volatile List<RuleAllowance> allowances;

    /** Outside CDI (plain JUnit tests): meters go to a private registry. */
    public RequestBudget(IssuetrakConfig config) {
        this(config, new BridgeMetrics(new SimpleMeterRegistry()));
    }

    @Inject
    public RequestBudget(IssuetrakConfig config, BridgeMetrics metrics) {
        this(config.budget().rules().orElse(List.of()), config.budget().burst(), config.budget().jitter(), metrics);
    }

    RequestBudget(List<BudgetRule> rules, double burst, Duration jitter, BridgeMetrics metrics) {
        this.rules = List.copyOf(rules);
        this.burst = burst;
        this.jitter = jitter;
        this.metrics = metrics;
        this.allowances = allowances(share, 1.0);
        this.all = bucket(false);
        this.writes = bucket(true);
        this.allTurns = all == null ? null : new BucketTurns(all);
        this.writeTurns = writes == null ? null : new BucketTurns(writes);
        this.recentAll = new RecentRequests(maxLimit(false));
        this.recentWrites = new RecentRequests(maxLimit(true));
        for (BudgetRule rule : this.rules) {
            metrics.budgetRule(rule.name(), () -> allowance(rule).requests(), () -> used(rule));
        }
        metrics.budget(() -> share.share(), () -> appliedFactor, waiting::get);
    }

    /** Whether any rule is configured. */
    public boolean enforced() {
        return !rules.isEmpty();
    }

    /**
     * Sends one request when the budget allows: the request is built (and signed) only then, so its timestamp is
     * fresh. Notes the answer: its time for readiness, a 429 for the throttle factor.
     *
     * @param write whether it is a POST, PUT or DELETE
     * @param operation create, get, list or probe (the wait meter's tag)
     * @param command whose request it is; its wait is kept apart from its retry budget ({@link #waited}), and its
     *        priority decides its place among the waiting requests
     * @param request builds and sends the request
     * @param status the HTTP status of an answer
     */
    public <T> Uni<T> spend(boolean write, String operation, CallContext command, Supplier<Uni<T>> request,
            ToIntFunction<T> status) {
        return admit(write, operation, command).chain(() -> request.get()).invoke(answer -> answered(write, status.applyAsInt(answer)));
    }

    private Uni<Void> admit(boolean write, String operation, CallContext command) {
        if (rules.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().deferred(() -> {
            long started = System.nanoTime();
            followBackoff(started);
            waiting.incrementAndGet();
            Priority priority = command.priority();
            Uni<Void> admitted = write ? take(writeTurns, priority).chain(() -> take(allTurns, priority))
                    : take(allTurns, priority);
            return admitted.eventually(() -> {
                waiting.decrementAndGet();
                long waited = System.nanoTime() - started;
                long now = System.nanoTime();
                recentAll.sent(now);
                if (write) {
                    recentWrites.sent(now);
                }
                metrics.budgetWaited(operation, waited);
                AtomicLong total = waitedByCommand.get(command);
                if (total != null) {
                    total.addAndGet(waited);
                }
            });
        });
    }

    /** Reserves one token of the bucket (it may go into debt) and waits for a turn, in priority order. */
    private static Uni<Void> take(BucketTurns turns, Priority priority) {
        return turns == null ? Uni.createFrom().voidItem() : turns.take(priority);
    }

    private void answered(boolean write, int status) {
        boolean apiAnswered = status >= 200 && status < 300
                || status >= 400 && status < 500 && status != 401 && status != 403 && status != 404;
        if (apiAnswered) {
            // Issuetrak's API is there and takes our key (a 429 too): evidence enough for readiness. Not a 404 (IIS
            // answers an unknown route, i.e. a wrong issuetrak.base-url, before any signature check) nor a 3xx.
            lastAnswer.set(System.nanoTime());
        }
        if (status == 429 && !rules.isEmpty()) {
            long now = System.nanoTime();
            RuleAllowance nearest = nearestToLimit(write, now);
            metrics.budgetThrottled(nearest.rule().name());
            if (backoff.throttled(now)) {
                Log.infof("Issuetrak answered 429 near rule %s: this instance's rate is halved, to %.3f of its share",
                        nearest.rule().name(), backoff.factor(now));
            }
            followBackoff(now);
        }
    }

    /** Applies the throttle factor when it moved (a 429, or a recovery step). */
    private void followBackoff(long now) {
        double factor = backoff.factor(now);
        if (factor != appliedFactor) {
            reconfigure(share, factor);
        }
    }

    /**
     * The commands partitions this instance owns changed (a rebalance): its allowances follow.
     */
    public void partitions(int owned, int total) {
        PartitionShare next = new PartitionShare(owned, total);
        if (!next.equals(share) && !rules.isEmpty()) {
            reconfigure(next, backoff.factor(System.nanoTime()));
            Log.infof("Request budget: %d of %d commands partitions, so %s", owned, total, allowances);
            allowances.stream().filter(a -> !a.guaranteed()).forEach(a -> Log.warnf("Request budget: this instance's "
                    + "part of rule %s is %.2f requests, less than one: the group may exceed the rule; use fewer "
                    + "partitions per replica (README, Request budget)", a.rule().name(), a.requests()));
        }
        share = next;
    }

    private synchronized void reconfigure(PartitionShare nextShare, double factor) {
        // Every rule scales alike (share x factor), so one ratio says how much faster or slower the buckets refill.
        double faster = nextShare.share() * factor / (share.share() * appliedFactor);
        allowances = allowances(nextShare, factor);
        appliedFactor = factor;
        configuration(false).ifPresent(c -> replace(all, c, faster));
        configuration(true).ifPresent(c -> replace(writes, c, faster));
    }

    /**
     * The turns already reserved by waiting requests keep the times they were given at the old rate. A bucket that
     * now refills faster would give the next request a time before theirs, and the two rates would overlap: its debt
     * is scaled up so that it clears when the last of them comes, and the new rate starts from there.
     */
    private static void replace(Bucket bucket, BucketConfiguration configuration, double faster) {
        long debt = -bucket.getAvailableTokens();
        bucket.replaceConfiguration(configuration, TokensInheritanceStrategy.AS_IS);
        if (debt > 0 && faster > 1) {
            bucket.consumeIgnoringRateLimits((long) Math.ceil(debt * (faster - 1)));
        }
    }

    private List<RuleAllowance> allowances(PartitionShare s, double factor) {
        return rules.stream().map(r -> RuleAllowance.of(r, s.share(), factor, burst, jitter)).toList();
    }

    private Bucket bucket(boolean writesOnly) {
        return configuration(writesOnly).<Bucket>map(c -> {
            // Nanoseconds: the default millisecond clock would round a 52.6 ms spacing to a shorter one.
            var builder = Bucket.builder().withNanosecondPrecision();
            for (var bandwidth : c.getBandwidths()) {
                builder.addLimit(bandwidth);
            }
            return builder.build();
        }).orElse(null);
    }

    private Optional<BucketConfiguration> configuration(boolean writesOnly) {
        List<RuleAllowance> mine = allowances.stream().filter(a -> a.rule().writesOnly() == writesOnly).toList();
        if (mine.isEmpty()) {
            return Optional.empty();
        }
        ConfigurationBuilder builder = BucketConfiguration.builder();
        mine.forEach(a -> builder.addLimit(a.bandwidth()));
        return Optional.of(builder.build());
    }

    private long maxLimit(boolean writesOnly) {
        return rules.stream().filter(r -> r.writesOnly() == writesOnly).mapToLong(BudgetRule::limit).max().orElse(1);
    }

    private RuleAllowance allowance(BudgetRule rule) {
        return allowances.stream().filter(a -> a.rule().equals(rule)).findFirst().orElseThrow();
    }

    private int used(BudgetRule rule) {
        return (rule.writesOnly() ? recentWrites : recentAll).within(rule.window().toNanos(), System.nanoTime());
    }

    /** The rule whose window this instance has filled most: where a 429 most likely came from. */
    private RuleAllowance nearestToLimit(boolean write, long now) {
        RuleAllowance nearest = null;
        double fullest = -1;
        for (RuleAllowance a : allowances) {
            if (a.rule().writesOnly() && !write) {
                continue;
            }
            double full = (a.rule().writesOnly() ? recentWrites : recentAll).within(a.rule().window().toNanos(), now)
                    / a.requests();
            if (full > fullest) {
                fullest = full;
                nearest = a;
            }
        }
        return nearest;
    }

    /** This instance's share of the budget now. */
    public PartitionShare share() {
        return share;
    }

    /** This instance's allowances now, one per rule. */
    public List<RuleAllowance> allowances() {
        return allowances;
    }

    /** Requests waiting for budget now. */
    public int waiting() {
        return waiting.get();
    }

    /** When Issuetrak last answered any request (System.nanoTime), empty if never. */
    public Optional<Long> lastAnswer() {
        long at = lastAnswer.get();
        return at == Long.MIN_VALUE ? Optional.empty() : Optional.of(at);
    }

    /** Starts counting a command's waits for budget, which {@link #waited} reports until {@link #untrack}. */
    public void track(CallContext command) {
        waitedByCommand.put(command, new AtomicLong());
    }

    /** Stops counting a command's waits. */
    public void untrack(CallContext command) {
        waitedByCommand.remove(command);
    }

    /** How long a tracked command's requests have waited for budget so far. */
    public Duration waited(CallContext command) {
        AtomicLong total = waitedByCommand.get(command);
        return total == null ? Duration.ZERO : Duration.ofNanos(total.get());
    }
}
