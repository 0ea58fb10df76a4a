package io.issuetrakbridge.sandbox;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;

/** The sandbox's listening options: plain HTTP, or HTTPS from a PEM certificate and key when configured. */
final class SandboxTls {

    private SandboxTls() {
    }

    static HttpServerOptions serverOptions(SandboxSettings settings) {
        HttpServerOptions options = new HttpServerOptions().setHost(settings.host()).setPort(settings.port());
        settings.tlsCertPem().ifPresent(cert -> options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(cert.toString()).setKeyPath(settings.tlsKeyPem().orElseThrow().toString())));
        return options;
    }
}
