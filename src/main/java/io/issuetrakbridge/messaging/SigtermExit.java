package io.issuetrakbridge.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import sun.misc.Signal;

/**
 * Makes SIGTERM an orderly stop with exit code 0, draining commands in flight first. Quarkus only registers a JVM shutdown hook, so on
 * SIGTERM the JVM's default handler runs {@link GracefulShutdown} and then exits 143 (killed by
 * signal 15), which Kubernetes and process supervisors report as a failure. Handling TERM ourselves
 * and asking Quarkus to exit with 0 runs the same shutdown (ShutdownEvent, connector close and
 * commit) and reports it as the normal end it is. Only in a normally launched application: dev mode
 * and tests manage their own lifecycle.
 */
@ApplicationScoped
public class SigtermExit {

    private final GracefulShutdown shutdown;

    public SigtermExit(GracefulShutdown shutdown) {
        this.shutdown = shutdown;
    }

    void install(@Observes StartupEvent event) {
        if (LaunchMode.current() != LaunchMode.NORMAL) {
            return;
        }
        // The signal arrives on a JVM thread that knows nothing of the application's class loader.
        ClassLoader application = Thread.currentThread().getContextClassLoader();
        try {
            Signal.handle(new Signal("TERM"), signal -> {
                Log.info("SIGTERM received: stopping");
                // Drain while everything still runs: Quarkus' own stop sequence starts closing
                // clients and connections before ShutdownEvent observers get their turn.
                Thread drain = new Thread(() -> {
                    try {
                        shutdown.drain();
                    } finally {
                        Quarkus.asyncExit(0);
                    }
                }, "issuetrak-bridge-sigterm");
                drain.setContextClassLoader(application);
                drain.setDaemon(true);
                drain.start();
            });
        } catch (IllegalArgumentException unsupported) {
            // No TERM on this platform (Windows): the JVM's own handling stays.
            Log.debugf("SIGTERM cannot be handled here: %s", unsupported.getMessage());
        }
    }
}
