package io.issuetrakbridge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.awaitility.Awaitility;

/**
 * A Kafka 4.1 broker in a process of its own, secured as enterprise clusters are: a SASL_SSL listener
 * (SCRAM-SHA-512 over TLS) and an SSL listener that requires client certificates (mTLS), both with a server
 * certificate signed by a CA made for this broker with the JDK's keytool; ACLs enforced by KRaft's
 * {@code StandardAuthorizer} with {@code allow.everyone.if.no.acl.found=false}. The test's own client is the
 * super user {@code admin}, whose SCRAM credential is written at format time ({@code --add-scram}).
 * <p>
 * The controller listener is plain text on 127.0.0.1, its principal (ANONYMOUS) a super user, as the broker
 * half of a combined node must reach its controller; no client of the tests uses it.
 */
public final class SecureKafkaBroker implements AutoCloseable {

    /** The CN of client certificates, mapped to the principal {@code User:<CN>} by the broker. */
    private static final String ADMIN = "admin";

    private final Path dir;
    private final String storePassword = secret();
    private final String adminPassword = secret();
    private final int saslPort = freePort();
    private final int mtlsPort = freePort();
    private final int controllerPort = freePort();
    private Process process;

    private SecureKafkaBroker(Path dir) {
        this.dir = dir;
    }

    /** Formats and starts a broker under {@code target/secure-kafka/<random>}; returns once it answers the admin. */
    public static SecureKafkaBroker start() {
        try {
            Path dir = Files.createDirectories(Path.of("target", "secure-kafka", UUID.randomUUID().toString()))
                    .toAbsolutePath();
            SecureKafkaBroker broker = new SecureKafkaBroker(dir);
            broker.makeCertificates();
            broker.launch();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A random password made for this run: what a leak check must never find. */
    public static String secret() {
        return "s3cr3t-" + UUID.randomUUID().toString().replace("-", "");
    }

    public String saslBootstrap() {
        return "127.0.0.1:" + saslPort;
    }

    public String mtlsBootstrap() {
        return "127.0.0.1:" + mtlsPort;
    }

    /** The test CA's certificate, PEM: what clients trust. */
    public Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    /** The broker's console, for diagnosis. */
    public Path log() {
        return dir.resolve("broker.log");
    }

    /** Client settings for a SCRAM-SHA-512 user over TLS, trusting the test CA (PEM). */
    public Map<String, Object> saslClient(String user, String password) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, saslBootstrap());
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        props.put(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512");
        props.put(SaslConfigs.SASL_JAAS_CONFIG, jaas(user, password));
        props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        props.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, caCertificate().toString());
        return props;
    }

    /** The super user's client settings. */
    public Map<String, Object> adminClient() {
        return saslClient(ADMIN, adminPassword);
    }

    public static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** Creates (or replaces) a SCRAM-SHA-512 user. */
    public void addScramUser(String user, String password) {
        try (Admin admin = Admin.create(adminClient())) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not create the SCRAM user " + user, e);
        }
    }

    /**
     * A PKCS12 key store holding a key pair with the subject {@code CN=<commonName>}, its certificate signed by
     * the test CA, protected by {@code password}: a client's certificate for the mTLS listener.
     */
    public Path clientKeyStore(String commonName, String password) {
        Path store = dir.resolve(commonName + ".p12");
        signedKeyStore(store, commonName, password, null);
        return store;
    }

    /** A PKCS12 trust store holding the test CA's certificate, protected by {@code password}. */
    public Path trustStore(String password) {
        Path store = dir.resolve("truststore-" + UUID.randomUUID() + ".p12");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate().toString(), "-keystore",
                store.toString(), "-storetype", "PKCS12", "-storepass", password);
        return store;
    }

    private void makeCertificates() {
        Path ca = dir.resolve("ca.p12");
        keytool("-genkeypair", "-alias", "ca", "-dname", "CN=issuetrak-bridge test CA", "-keyalg", "RSA",
                "-keysize", "2048", "-validity", "2", "-ext", "bc:c", "-keystore", ca.toString(),
                "-storetype", "PKCS12", "-storepass", storePassword);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", storePassword,
                "-file", caCertificate().toString());
        signedKeyStore(dir.resolve("broker.p12"), "localhost", storePassword, "SAN=dns:localhost,ip:127.0.0.1");
    }

    private void signedKeyStore(Path store, String commonName, String password, String extension) {
        Path request = dir.resolve(commonName + ".csr");
        Path certificate = dir.resolve(commonName + ".crt");
        keytool("-genkeypair", "-alias", commonName, "-dname", "CN=" + commonName, "-keyalg", "RSA", "-keysize",
                "2048", "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", password);
        keytool("-certreq", "-alias", commonName, "-keystore", store.toString(), "-storepass", password, "-file",
                request.toString());
        List<String> sign = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore",
                dir.resolve("ca.p12").toString(), "-storepass", storePassword, "-infile", request.toString(),
                "-outfile", certificate.toString(), "-rfc", "-validity", "2"));
        if (extension != null) {
            sign.addAll(List.of("-ext", extension));
        }
        keytool(sign.toArray(String[]::new));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate().toString(), "-keystore",
                store.toString(), "-storepass", password);
        keytool("-importcert", "-noprompt", "-alias", commonName, "-file", certificate.toString(), "-keystore",
                store.toString(), "-storepass", password);
    }

    private void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        run(command, dir.resolve("keytool.log"), "keytool " + args[0]);
    }

    private void launch() throws IOException {
        Properties props = SingleNodeBroker.settings(dir.resolve("data"), controllerPort);
        props.put("listeners", "SASL_SSL://127.0.0.1:" + saslPort + ",SSL://127.0.0.1:" + mtlsPort
                + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "SASL_SSL://127.0.0.1:" + saslPort + ",SSL://127.0.0.1:" + mtlsPort);
        props.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,SSL:SSL,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "SASL_SSL");
        props.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        props.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
        props.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", jaas(ADMIN, adminPassword));
        props.put("ssl.keystore.type", "PKCS12");
        props.put("ssl.keystore.location", dir.resolve("broker.p12").toString());
        props.put("ssl.keystore.password", storePassword);
        props.put("ssl.truststore.type", "PEM");
        props.put("ssl.truststore.location", caCertificate().toString());
        props.put("listener.name.ssl.ssl.client.auth", "required");
        // CN=issuetrak-bridge becomes User:issuetrak-bridge, the principal SCRAM gives the same user.
        props.put("ssl.principal.mapping.rules", "RULE:^CN=([^,]+)$/$1/,DEFAULT");
        props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        props.put("allow.everyone.if.no.acl.found", "false");
        props.put("super.users", "User:" + ADMIN + ";User:ANONYMOUS");
        Path config = dir.resolve("server.properties");
        try (Writer w = Files.newBufferedWriter(config)) {
            props.store(w, "issuetrak-bridge secure test broker");
        }
        List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms128m",
                "-Xmx384m", "-XX:+UseSerialGC", "-cp", classPath());
        List<String> format = new ArrayList<>(java);
        format.addAll(List.of("kafka.tools.StorageTool", "format", "--cluster-id", Uuid.randomUuid().toString(),
                "--config", config.toString(), "--standalone",
                "--add-scram", "SCRAM-SHA-512=[name=" + ADMIN + ",password=" + adminPassword + "]"));
        run(format, dir.resolve("format.log"), "formatting the broker's storage");
        List<String> server = new ArrayList<>(java);
        server.addAll(List.of("kafka.Kafka", config.toString()));
        process = new ProcessBuilder(server).redirectErrorStream(true).redirectOutput(log().toFile()).start();
        Map<String, Object> probe = new HashMap<>(adminClient());
        probe.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        probe.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "4000");
        Awaitility.await("the secure broker answers its admin; see " + log()).atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("the broker exited with " + process.exitValue() + "; see " + log());
                    }
                    try (Admin admin = Admin.create(probe)) {
                        return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
                    }
                });
    }

    /** The test class path, with the broker's jars (kafka_2.13 is a provided dependency). */
    private static String classPath() {
        // Surefire and failsafe start the test JVM from a manifest-only jar and pass the real path here.
        String path = System.getProperty("surefire.test.class.path");
        return path != null && !path.isBlank() ? path : System.getProperty("java.class.path");
    }

    private static void run(List<String> command, Path log, String what) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " failed; see " + log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the broker process (SIGTERM, then SIGKILL after 30 s). */
    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
