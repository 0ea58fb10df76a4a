package io.issuetrakbridge.routing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link RoutingTest} with routing marks off (the order window alone): one note per command ID, and order while the
 * bridge keeps up.
 */
@QuarkusTest
@TestProfile(RoutingWithoutMarksTest.MarksOff.class)
class RoutingWithoutMarksTest extends RoutingTest {

    /** Routing marks off, everything else as in the other tests. */
    public static class MarksOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.routing.marks.enabled", "false");
        }
    }
}
