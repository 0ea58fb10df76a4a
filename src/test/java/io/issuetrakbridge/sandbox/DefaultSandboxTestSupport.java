package io.issuetrakbridge.sandbox;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import io.issuetrakbridge.config.ApiKey;

/** A sandbox with the default (vendor-like) settings per test class, reset before each test. */
abstract class DefaultSandboxTestSupport extends SandboxTestSupport {

    @BeforeAll
    static void startDefaultSandbox() {
        startSandbox(SandboxSettings.defaults(ApiKey.of(KEY)));
    }

    @AfterAll
    static void stopDefaultSandbox() {
        stopSandbox();
    }

    @BeforeEach
    void resetDefaultSandbox() {
        resetSandbox();
    }
}
