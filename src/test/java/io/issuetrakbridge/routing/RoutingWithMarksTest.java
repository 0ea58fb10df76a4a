package io.issuetrakbridge.routing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** {@link RoutingTest} with routing marks on: one note per command ID, and order while the bridge keeps up. */
@QuarkusTest
@TestProfile(RoutingWithMarksTest.MarksOn.class)
class RoutingWithMarksTest extends RoutingTest {

    /** Routing marks on, everything else as in the other tests. */
    public static class MarksOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.routing.marks.enabled", "true");
        }
    }
}
