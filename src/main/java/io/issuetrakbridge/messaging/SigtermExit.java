package io.issuetrakbridge.messaging;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;

/**
 * Makes SIGTERM an orderly stop with exit code 0. Quarkus only registers a JVM shutdown hook, so on
 * SIGTERM the JVM runs Quarkus' stop (and with it {@link GracefulShutdown}) and then exits 143 (killed by
 * signal 15), which Kubernetes Jobs and process supervisors report as a failure. Turning TERM into
 * {@link Quarkus#asyncExit(int)} runs the very same stop and reports it as the normal end it is. Only in
 * a normally launched application: dev mode and tests manage their own lifecycle.
 * <p>
 * Java has no public API for a signal handler and Quarkus handles only QUIT; the JDK's
 * {@code sun.misc.Signal} (module jdk.unsupported, also what Quarkus uses) is reached by reflection
 * because javac's warning on a direct use cannot be suppressed with {@code --release}. The classes are
 * registered for a native image in {@code META-INF/native-image/io.issuetrakbridge/}.
 */
@ApplicationScoped
public class SigtermExit {

    void install(@Observes StartupEvent event) {
        if (LaunchMode.current() != LaunchMode.NORMAL) {
            return;
        }
        try {
            Class<?> signalType = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object term = signalType.getConstructor(String.class).newInstance("TERM");
            InvocationHandler onTerm = (proxy, method, args) -> handle(proxy, method, args);
            Object handler = Proxy.newProxyInstance(handlerType.getClassLoader(), new Class<?>[] { handlerType },
                    onTerm);
            signalType.getMethod("handle", signalType, handlerType).invoke(null, term, handler);
        } catch (ReflectiveOperationException | RuntimeException unsupported) {
            // No TERM on this platform (Windows) or no jdk.unsupported: the JVM's own handling stays.
            Log.debugf("SIGTERM cannot be handled here: %s", unsupported);
        }
    }

    private static Object handle(Object proxy, Method method, Object[] args) {
        if (method.getName().equals("handle")) {
            Log.info("SIGTERM received: stopping");
            Quarkus.asyncExit(0);
            return null;
        }
        // Object's methods on the proxy (the JDK may log or compare the handler).
        return switch (method.getName()) {
            case "toString" -> "issuetrak-bridge SIGTERM handler";
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> null;
        };
    }
}
