package io.issuetrakbridge.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Dead-letter replay, offered on the management interface ({@code quarkus.management.port}, 9000).
 * Off unless {@code bridge.replay.token} is set.
 */
@ConfigMapping(prefix = "bridge.replay")
public interface ReplayConfig {

    /**
     * Bearer token that opens the replay API ({@code Authorization: Bearer <token>}), at least 16
     * characters. Without it the replay routes are not registered at all. Set it from a Secret
     * ({@code BRIDGE_REPLAY_TOKEN}).
     */
    Optional<ReplayToken> token();

    /**
     * How often one command may be replayed. A dead letter whose {@code replay-count} header has
     * reached this is skipped and reported, so a command that fails every time cannot loop.
     */
    @WithDefault("3")
    int maxReplays();

    /** Records produced per second by a replay that does not ask for its own {@code ratePerSecond}. */
    @WithDefault("100")
    double defaultRate();

    /**
     * Consumer group whose committed offsets on the dead-letter topic record replay progress, so that
     * {@code "resume": true} continues after the last replayed record. Never the bridge's own group.
     */
    @WithDefault("issuetrak-bridge-replay")
    String consumerGroup();

    /** Most records listed in one run's answer; the counts always cover every record. */
    @WithDefault("1000")
    int maxListed();
}
