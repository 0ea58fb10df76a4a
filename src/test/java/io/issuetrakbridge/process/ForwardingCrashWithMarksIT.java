package io.issuetrakbridge.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.issuetrakbridge.testing.BridgeProcess;

/**
 * {@link ForwardingCrashIT} with routing marks on (the default, as deploy/ runs the service): zero duplicates, zero lost; and the
 * restarted service, which takes over every partition from the killed one, never waits out
 * {@code bridge.routing.max-order-wait}: its partitions inherit where the killed owner's copies went from its last
 * marks, and a buffer full of waiting commands lets the earliest go after a short grace.
 */
class ForwardingCrashWithMarksIT extends ForwardingCrashIT {

    @Override
    Map<String, String> config() {
        return Map.of();
    }

    @Override
    void afterwards(BridgeProcess restarted) {
        System.out.printf("ForwardingCrashWithMarksIT: partitions without a covering mark %s; forced releases %s%n",
                restarted.logLines("covers its committed position"), restarted.logLines("order_forced_total"));
        assertThat(restarted.logLines("after waiting bridge.routing.max-order-wait")).isEmpty();
    }
}
