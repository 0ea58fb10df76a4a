package io.issuetrakbridge.replay;

import java.net.URL;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Without bridge.replay.token there is no replay API at all, whatever credentials are sent. */
@QuarkusTest
@TestProfile(ReplayDisabledTest.NoToken.class)
class ReplayDisabledTest {

    /** The test profile minus the replay token. */
    public static class NoToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.replay.token", "");
        }
    }

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void theReplayRoutesAreNotThere() {
        try (ReplayApi api = new ReplayApi(management)) {
            api.anonymous().header("Authorization", "Bearer test-only-replay-token-not-a-secret-0123")
                    .body("{\"dryRun\": true}").post(ReplayRoutes.PATH).then().statusCode(404);
            api.anonymous().get(ReplayRoutes.STATUS_PATH).then().statusCode(404);
            api.anonymous().get("/q/health/live").then().statusCode(200);
        }
    }
}
