package io.issuetrakbridge.messaging;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Turns off Mutiny's implicit context propagation before any command is consumed.
 * <p>
 * Quarkus decorates every Mutiny callback to capture and restore ArC's request context and
 * OpenTelemetry's current context. The bridge needs neither: it has no request-scoped beans, and a
 * command's trace and log context travel explicitly with it ({@link io.issuetrakbridge.issuetrak.CallContext}).
 * With a dozen callbacks per command the decoration was about a sixth of the bridge's CPU per note
 * (docs/BENCHMARKS.md). Mutiny's {@code mutiny.disableCallBackDecorators} system property does the
 * same but must be set before Mutiny initialises, which a configuration file cannot do.
 */
@ApplicationScoped
public class ExplicitContextOnly {

    void clear(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        // Mutiny's only decorator here is the context propagation one (mutiny-smallrye-context-propagation);
        // this also clears Uni/Multi interceptors, of which the application registers none.
        Infrastructure.clearInterceptors();
    }
}
