package io.issuetrakbridge.testing;

import io.quarkus.test.common.QuarkusTestResource;

/**
 * Every {@code @QuarkusTest} runs against a real Kafka broker and the Issuetrak sandbox over real
 * HTTP. Declared once, globally, so test classes with the same profile share one application start.
 */
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(SandboxTestResource.class)
public final class RealInfrastructure {

    private RealInfrastructure() {
    }
}
