package io.issuetrakbridge.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;

/**
 * What a Quarkus upstream service writes to call the bridge: a {@link KafkaRequestReply} on the
 * commands topic (configured in the test's properties). Lives in the test sources, so only tests have it.
 */
@ApplicationScoped
public class RequestReplyClient {

    private final KafkaRequestReply<String, String> bridge;

    public RequestReplyClient(@Channel("bridge-requests") KafkaRequestReply<String, String> bridge) {
        this.bridge = bridge;
    }

    public KafkaRequestReply<String, String> bridge() {
        return bridge;
    }
}
