package io.issuetrakbridge.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.issuetrakbridge.messaging.RecordSender;

/**
 * Ready while the bridge's producer delivers: DOWN, with the error, once its latest send failed
 * (the broker refused or timed out after the producer's own retries), UP again with the next send
 * that succeeds. The commands consumer's part of Kafka health is the connector's own check.
 */
@Readiness
@ApplicationScoped
public class KafkaProducerReadinessCheck implements HealthCheck {

    private final RecordSender sender;

    public KafkaProducerReadinessCheck(RecordSender sender) {
        this.sender = sender;
    }

    @Override
    public HealthCheckResponse call() {
        return sender.lastFailure()
                .map(failure -> HealthCheckResponse.named("kafka-producer").down()
                        .withData("error", failure.getClass().getSimpleName() + ": " + failure.getMessage())
                        .build())
                .orElseGet(() -> HealthCheckResponse.up("kafka-producer"));
    }
}
