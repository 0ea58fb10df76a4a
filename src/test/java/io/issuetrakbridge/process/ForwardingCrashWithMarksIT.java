package io.issuetrakbridge.process;

import java.util.Map;

/** {@link ForwardingCrashIT} with routing marks on, as deploy/ runs the service: zero duplicates, zero lost. */
class ForwardingCrashWithMarksIT extends ForwardingCrashIT {

    @Override
    Map<String, String> config() {
        return Map.of("bridge.routing.marks.enabled", "true");
    }
}
