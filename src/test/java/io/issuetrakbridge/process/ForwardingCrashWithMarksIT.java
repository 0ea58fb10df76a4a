package io.issuetrakbridge.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.issuetrakbridge.testing.BridgeProcess;

/**
 * {@link ForwardingCrashIT} with routing marks on (the default, as deploy/ runs the service): zero duplicates, zero lost; and the
 * restarted service, which takes over every partition from the killed one behind a backlog, lets no command go before
 * the marks do: its partitions inherit where the killed owner's copies went from its last marks (before, their marks
 * named every partition's end, and the backlog had to be read to it while the buffer was full of waiting commands).
 */
class ForwardingCrashWithMarksIT extends ForwardingCrashIT {

    @Override
    Map<String, String> config() {
        return Map.of();
    }

    @Override
    void afterwards(BridgeProcess restarted) {
        System.out.printf("ForwardingCrashWithMarksIT: inherited %s; without a covering mark %s; forced releases %s%n",
                restarted.logLines("inherits where its predecessors' copies end"),
                restarted.logLines("covers its committed position"), restarted.logLines("order_forced_total"));
        assertThat(restarted.logLines("order_forced_total")).as("commands let go before the marks").isEmpty();
    }
}
