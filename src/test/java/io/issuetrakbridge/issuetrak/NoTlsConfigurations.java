package io.issuetrakbridge.issuetrak;

import java.util.Optional;

import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;

/** Quarkus' TLS registry as it is when no {@code quarkus.tls.*} is configured: for plain JUnit tests. */
public final class NoTlsConfigurations implements TlsConfigurationRegistry {

    @Override
    public Optional<TlsConfiguration> get(String name) {
        return Optional.empty();
    }

    @Override
    public Optional<TlsConfiguration> getDefault() {
        return Optional.empty();
    }

    @Override
    public void register(String name, TlsConfiguration configuration) {
        throw new UnsupportedOperationException();
    }
}
