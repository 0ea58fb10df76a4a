package io.issuetrakbridge.tracing;

import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * A command's trace: continued from its {@code traceparent} header into a span for its processing,
 * and from there into the Issuetrak call and the reply.
 * <p>
 * Done here rather than by the Kafka connector's instrumentation because the bridge publishes with
 * a plain producer ({@link io.issuetrakbridge.messaging.RecordSender}), and because the connector's
 * instrumentation cost CPU on every record even with tracing off. With the OpenTelemetry SDK
 * disabled (the default) no span is made: a command's {@code traceparent}, when it has one, passes
 * through unchanged to the Issuetrak request and the reply.
 */
@ApplicationScoped
public class CommandTracing {

    private static final String INSTRUMENTATION = "io.issuetrakbridge";

    private static final TextMapGetter<Headers> KAFKA_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            return () -> java.util.Arrays.stream(headers.toArray()).map(Header::key).iterator();
        }

        @Override
        public String get(Headers headers, String key) {
            Header header = headers == null ? null : headers.lastHeader(key);
            return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
    };

    private static final TextMapSetter<Headers> KAFKA_SETTER = (headers, key, value) -> {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    @Inject
    public CommandTracing(OpenTelemetry telemetry,
            @ConfigProperty(name = "quarkus.otel.sdk.disabled") boolean disabled) {
        // Quarkus' "disabled" SDK still hands out recording spans with fresh IDs: pay for none of that.
        this.tracer = (disabled ? OpenTelemetry.noop() : telemetry).getTracer(INSTRUMENTATION);
        this.propagator = telemetry.getPropagators().getTextMapPropagator();
    }

    /** Outside CDI (tests): spans as {@code telemetry} makes them. */
    public CommandTracing(OpenTelemetry telemetry) {
        this(telemetry, false);
    }

    /** Starts the span of a command's processing, a child of the record's {@code traceparent} when it has one. */
    public Context received(String topic, int partition, long offset, Headers headers) {
        Context parent = propagator.extract(Context.root(), headers, KAFKA_GETTER);
        Span span = tracer.spanBuilder(topic + " process")
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.destination.name", topic)
                .setAttribute("messaging.destination.partition.id", Integer.toString(partition))
                .setAttribute("messaging.kafka.offset", offset)
                .startSpan();
        return parent.with(span);
    }

    /** Starts a span for sending a record to {@code topic} and writes its {@code traceparent} into {@code headers}. */
    public Span publishing(Context command, String topic, Headers headers) {
        Span span = tracer.spanBuilder(topic + " publish")
                .setParent(command)
                .setSpanKind(SpanKind.PRODUCER)
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.destination.name", topic)
                .startSpan();
        propagator.inject(command.with(span), headers, KAFKA_SETTER);
        return span;
    }

    /** Starts a span for a call to Issuetrak; the caller writes it into the request and ends it. */
    public Span calling(Context command, String method, String operation) {
        return tracer.spanBuilder(method + " " + operation)
                .setParent(command)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("http.request.method", method)
                .startSpan();
    }

    /** Writes {@code context} as W3C trace headers through {@code setter}. */
    public <C> void inject(Context context, C carrier, TextMapSetter<C> setter) {
        propagator.inject(context, carrier, setter);
    }

    /** Ends a span, marking it failed when {@code failure} is not null. */
    public static void end(Span span, Throwable failure) {
        if (failure != null) {
            span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
        }
        span.end();
    }

    /** Ends the processing span started by {@link #received}. */
    public static void finished(Context command, Throwable failure) {
        end(Span.fromContext(command), failure);
    }
}
