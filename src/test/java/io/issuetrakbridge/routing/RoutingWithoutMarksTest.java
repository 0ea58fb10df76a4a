package io.issuetrakbridge.routing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link RoutingTest} with routing marks off (the order window alone): one note per command ID, and order while the
 * bridge keeps up. This profile starts an application of its own, whose first seconds on a busy 2-core machine read
 * the three partitions more than the default 500 ms apart (seen: the notes in partition order); the window, the knob
 * that mode offers, is widened to 3 s.
 */
@QuarkusTest
@TestProfile(RoutingWithoutMarksTest.MarksOff.class)
class RoutingWithoutMarksTest extends RoutingTest {

    /** Routing marks off, everything else as in the other tests. */
    public static class MarksOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.routing.marks.enabled", "false", "bridge.routing.order-window", "3s");
        }
    }
}
