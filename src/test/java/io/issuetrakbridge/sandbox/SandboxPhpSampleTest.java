package io.issuetrakbridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.config.ApiKey;
import io.issuetrakbridge.issuetrak.dto.ReadNote;

/**
 * Runs the vendor's PHP sample itself against the sandbox, where a PHP interpreter with curl is installed
 * ({@code apt-get install php-cli php-curl}, which {@code .ci/run} does). Elsewhere it is skipped with a
 * warning on the console, and fails instead in CI ({@code CI=true}), where a skip would hide that it
 * never ran. The Java transcription in
 * {@link SandboxAuthenticationTest#theVendorsPhpSamplesWayOfSigningIsAccepted()} runs everywhere.
 */
class SandboxPhpSampleTest extends SandboxTestSupport {

    @BeforeAll
    static void start() {
        startSandbox(SandboxSettings.defaults(ApiKey.of(KEY)));
    }

    @AfterAll
    static void stop() {
        stopSandbox();
    }

    @Test
    void theVendorsPhpSampleCreatesAndReadsANote() throws Exception {
        if (!phpWithCurl()) {
            String why = "php with the curl extension is not installed (apt-get install php-cli php-curl): "
                    + "the vendor's PHP sample did not run";
            assertThat(System.getenv("CI")).as("in CI: " + why).isNotEqualToIgnoringCase("true");
            System.err.println("WARNING: SandboxPhpSampleTest skipped: " + why);
            assumeTrue(false, why);
        }
        Path script = Path.of(SandboxPhpSampleTest.class.getResource("/php/issuetrak-sample.php").toURI());

        ProcessBuilder php = new ProcessBuilder("php", script.toString()).redirectErrorStream(true);
        php.environment().put("ISSUETRAK_BASE_URL", sandbox.baseUrl());
        php.environment().put("ISSUETRAK_API_KEY", KEY);
        Process process = php.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(output).containsPattern("RESPONSE = \\d+\n");
        String noteId = output.replaceAll("(?s)^RESPONSE = (\\d+)\n.*", "$1");
        ReadNote note = sandbox.notes().get(Long.parseLong(noteId)).orElseThrow();
        assertThat(note.createdBy()).isEqualTo("APIUser");
        // The server's local time (America/St_Johns by default, UTC-03:30 in January): 16:32:32Z = 13:02:32.
        assertThat(note.createdDate()).isEqualTo("2018-01-01T13:02:32");
        assertThat(output).contains("\"NoteText\":\"Testing note creation from PHP.\"");
    }

    private static boolean phpWithCurl() {
        try {
            Process probe = new ProcessBuilder("php", "-r", "exit(function_exists('curl_init') ? 0 : 1);")
                    .redirectErrorStream(true).start();
            return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
