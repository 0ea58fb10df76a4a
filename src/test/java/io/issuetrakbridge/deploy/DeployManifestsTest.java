package io.issuetrakbridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * CI check for what an operator applies: every manifest in {@code deploy/} parses, carries the fields
 * its kind needs, and agrees with the other manifests (selectors, port names, grace periods, partition
 * counts); the Dockerfiles document their build and run as non-root.
 *
 * <p>No cluster is involved, so this cannot catch every schema error a real API server would; it
 * checks the fields whose absence or mismatch breaks the bridge at run time or silently.
 *
 * <p>Each test gathers every problem before failing, so one run lists all of them, each naming its
 * file and field.
 */
class DeployManifestsTest {

    private static final Path DEPLOY = Path.of("deploy");
    private static final Path DOCKER = Path.of("src", "main", "docker");

    private static final String KUSTOMIZATION = "kustomization.yaml";
    /** Files named like this are filled in by operators and must never be applied from the repository. */
    private static final String TEMPLATE_SUFFIX = ".template.yaml";

    private static final String APP = "issuetrak-bridge";
    private static final String CONFIG_MAP = "issuetrak-bridge-config";
    private static final String SECRET = "issuetrak-bridge-secrets";
    private static final String COMMANDS_TOPIC = "issuetrak.notes.commands";
    private static final String LEDGER_TOPIC = "issuetrak.notes.ledger";
    private static final String ROUTING_TOPIC = "issuetrak.notes.routing";
    private static final Set<String> TOPICS = Set.of(COMMANDS_TOPIC, "issuetrak.notes.replies",
            "issuetrak.notes.errors", "issuetrak.notes.dlq", LEDGER_TOPIC, ROUTING_TOPIC);
    private static final int MANAGEMENT_PORT = 9000;

    /** Kubernetes object names: a DNS-1123 subdomain. */
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    /** Quarkus' short duration form ("30s", "500ms"); anything else must be ISO-8601 ("PT30S"). */
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

    /** Duplicate keys are legal to most YAML parsers (last wins), but hide which value an operator meant. */
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    /** One YAML document of one file. */
    record Doc(Path file, int index, JsonNode node) {

        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return node.path("metadata").path("name").asText();
        }

        JsonNode at(String pointer) {
            return node.at(pointer);
        }

        /** Where a problem is, for the failure message. */
        String where(String field) {
            return file.getFileName() + (index > 0 ? " (document " + (index + 1) + ")" : "") + " " + kind()
                    + " " + name() + ": " + field;
        }
    }

    private static List<Doc> docs;

    @BeforeAll
    static void load() throws IOException {
        assertThat(DEPLOY).as("deploy/ relative to the project root").isDirectory();
        docs = new ArrayList<>();
        for (Path file : manifestFiles()) {
            docs.addAll(read(file));
        }
    }

    @Test
    void everyDocumentHasApiVersionKindAndName() {
        List<String> problems = new ArrayList<>();
        try (Stream<Path> all = Files.list(DEPLOY)) {
            all.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yml"))
                    .forEach(n -> problems.add(n + ": use the .yaml extension, or this check never sees the file"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> seen = new HashSet<>();
        for (Doc doc : docs) {
            if (!doc.at("/apiVersion").isTextual() || doc.at("/apiVersion").asText().isBlank()) {
                problems.add(doc.where("apiVersion missing"));
            }
            if (!doc.at("/kind").isTextual() || doc.kind().isBlank()) {
                problems.add(doc.where("kind missing"));
            }
            if (doc.kind().equals("Kustomization")) {
                continue;
            }
            String name = doc.name();
            if (name.isEmpty() || name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
                problems.add(doc.where("metadata.name missing or not a DNS-1123 name: '" + name + "'"));
            }
            if (!seen.add(doc.kind() + "/" + name)) {
                problems.add(doc.where("duplicate " + doc.kind() + " name"));
            }
            // A bare true or 9000 here is rejected by the API server: labels and annotations are strings.
            for (String map : List.of("labels", "annotations")) {
                fields(doc.at("/metadata/" + map)).forEach((k, v) -> {
                    if (!v.isTextual()) {
                        problems.add(doc.where("metadata." + map + "." + k + " must be a quoted string"));
                    }
                });
            }
        }
        Set<String> kinds = docs.stream().map(Doc::kind).collect(Collectors.toSet());
        for (String kind : List.of("Kustomization", "Deployment", "ConfigMap", "Secret", "Service",
                "PodDisruptionBudget", "KafkaTopic", "KafkaUser", "ScaledObject")) {
            if (!kinds.contains(kind)) {
                problems.add("deploy/ has no " + kind);
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void kustomizationListsEveryManifestExceptTemplates() throws IOException {
        Doc kustomization = single("Kustomization", null);
        Set<String> listed = new TreeSet<>();
        kustomization.at("/resources").forEach(r -> listed.add(r.asText()));
        Set<String> expected = new TreeSet<>();
        Set<String> templates = new TreeSet<>();
        for (Path file : manifestFiles()) {
            String name = file.getFileName().toString();
            if (name.endsWith(TEMPLATE_SUFFIX)) {
                templates.add(name);
            } else if (!name.equals(KUSTOMIZATION)) {
                expected.add(name);
            }
        }
        assertThat(listed).as("kustomization.yaml resources").containsExactlyInAnyOrderElementsOf(expected);
        // Applying a template would overwrite the real Secret with placeholders on every apply.
        assertThat(listed).as("templates must not be applied").doesNotContainAnyElementsOf(templates);
        assertThat(templates).as("the Secret ships as a template").contains("secret" + TEMPLATE_SUFFIX);
    }

    @Test
    void deploymentIsProbedHardenedAndSized() {
        Doc deployment = single("Deployment", APP);
        List<String> problems = new ArrayList<>();
        Map<String, JsonNode> podLabels = fields(deployment.at("/spec/template/metadata/labels"));
        checkSelector(deployment, deployment.at("/spec/selector/matchLabels"), podLabels, problems);

        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode podSecurity = pod.path("securityContext");
        Set<String> volumes = names(pod.path("volumes"));
        List<JsonNode> containers = list(pod.path("containers"));
        if (containers.isEmpty()) {
            problems.add(deployment.where("spec.template.spec.containers is empty"));
        }
        for (JsonNode c : list(pod.path("initContainers"))) {
            requireText(deployment, c, "/image", "initContainer " + c.path("name").asText() + " image", problems);
        }
        for (JsonNode c : containers) {
            String container = "container " + c.path("name").asText() + " ";
            requireText(deployment, c, "/image", container + "image", problems);

            Map<String, Integer> ports = new HashMap<>();
            list(c.path("ports")).forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
            if (!Integer.valueOf(MANAGEMENT_PORT).equals(ports.get("management"))) {
                problems.add(deployment.where(container + "needs a port named management = " + MANAGEMENT_PORT));
            }
            checkProbe(deployment, c, "livenessProbe", "/q/health/live", ports, problems);
            checkProbe(deployment, c, "readinessProbe", "/q/health/ready", ports, problems);
            checkProbe(deployment, c, "startupProbe", "/q/health/started", ports, problems);

            JsonNode security = c.path("securityContext");
            if (!security.path("runAsNonRoot").asBoolean(podSecurity.path("runAsNonRoot").asBoolean(false))) {
                problems.add(deployment.where(container + "securityContext.runAsNonRoot must be true"));
            }
            if (!security.path("readOnlyRootFilesystem").asBoolean(false)) {
                problems.add(deployment.where(container + "securityContext.readOnlyRootFilesystem must be true"));
            }
            if (security.path("allowPrivilegeEscalation").asBoolean(true)) {
                problems.add(deployment.where(container + "securityContext.allowPrivilegeEscalation must be false"));
            }
            if (!texts(security.at("/capabilities/drop")).contains("ALL")) {
                problems.add(deployment.where(container + "securityContext.capabilities.drop must contain ALL"));
            }
            String seccomp = security.at("/seccompProfile/type")
                    .asText(podSecurity.at("/seccompProfile/type").asText());
            if (!seccomp.equals("RuntimeDefault") && !seccomp.equals("Localhost")) {
                problems.add(deployment.where(container + "seccompProfile.type must be RuntimeDefault"));
            }
            for (String r : List.of("requests/cpu", "requests/memory", "limits/cpu", "limits/memory")) {
                requireText(deployment, c, "/resources/" + r, container + "resources." + r.replace('/', '.'),
                        problems);
            }
            // A read-only root filesystem needs a writable /tmp, or Vert.x and the JVM fail at start.
            Optional<JsonNode> tmp = list(c.path("volumeMounts")).stream()
                    .filter(m -> m.path("mountPath").asText().equals("/tmp")).findFirst();
            if (tmp.isEmpty() || !volumes.contains(tmp.get().path("name").asText())) {
                problems.add(deployment.where(container + "needs a volume mounted at /tmp"));
            }
            Set<String> envFrom = new HashSet<>();
            list(c.path("envFrom")).forEach(e -> {
                if (e.has("configMapRef")) {
                    envFrom.add("ConfigMap/" + e.at("/configMapRef/name").asText());
                }
                if (e.has("secretRef")) {
                    envFrom.add("Secret/" + e.at("/secretRef/name").asText());
                }
            });
            if (!envFrom.containsAll(Set.of("ConfigMap/" + CONFIG_MAP, "Secret/" + SECRET))) {
                problems.add(deployment.where(container + "envFrom must reference ConfigMap " + CONFIG_MAP
                        + " and Secret " + SECRET + ", found " + envFrom));
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void terminationGraceOutlastsTheBridgesShutdownGrace() {
        Doc deployment = single("Deployment", APP);
        Doc config = single("ConfigMap", CONFIG_MAP);
        JsonNode grace = deployment.at("/spec/template/spec/terminationGracePeriodSeconds");
        assertThat(grace.isInt()).as(deployment.where("terminationGracePeriodSeconds must be set")).isTrue();
        JsonNode shutdown = config.at("/data/BRIDGE_SHUTDOWN_GRACE");
        assertThat(shutdown.isTextual()).as(config.where("data.BRIDGE_SHUTDOWN_GRACE must be set")).isTrue();
        // Otherwise the kubelet kills the pod while in-flight Issuetrak calls are still being drained.
        assertThat(Duration.ofSeconds(grace.asLong()))
                .as(deployment.where("terminationGracePeriodSeconds vs BRIDGE_SHUTDOWN_GRACE " + shutdown.asText()))
                .isGreaterThan(quarkusDuration(shutdown.asText()));
    }

    /**
     * The records a pod may hold at once (the window plus the parked ones), each as large as a command may be
     * (bridge.max-note-bytes, 262144 by default), take at most half of its heap: the heap is JAVA_MAX_MEM_RATIO
     * percent of the memory limit, and the rest of it holds the ledger index and the Kafka clients' buffers.
     */
    @Test
    void heldRecordsFitInHalfThePodsHeap() {
        Doc deployment = single("Deployment", APP);
        Map<String, JsonNode> data = fields(single("ConfigMap", CONFIG_MAP).at("/data"));
        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        String ratio = null;
        for (JsonNode env : container.path("env")) {
            if (env.path("name").asText().equals("JAVA_MAX_MEM_RATIO")) {
                ratio = env.path("value").asText();
            }
        }
        assertThat(ratio).as(deployment.where("env JAVA_MAX_MEM_RATIO must be set")).isNotNull();
        String limit = container.at("/resources/limits/memory").asText();
        assertThat(limit).as(deployment.where("limits.memory in Mi")).endsWith("Mi");
        long heap = Long.parseLong(limit.replace("Mi", "")) * 1024 * 1024 * Long.parseLong(ratio) / 100;
        long records = Long.parseLong(data.getOrDefault("BRIDGE_MAX_IN_FLIGHT", YAML.getNodeFactory().textNode("16")).asText())
                + Long.parseLong(data.getOrDefault("BRIDGE_SCHEDULING_MAX_PARKED", YAML.getNodeFactory().textNode("1000")).asText());
        long noteBytes = Long.parseLong(data.getOrDefault("BRIDGE_MAX_NOTE_BYTES", YAML.getNodeFactory().textNode("262144")).asText());
        assertThat(records * noteBytes).as("(max-in-flight + max-parked) x max-note-bytes against half the heap of "
                + (heap >> 20) + " MiB").isLessThanOrEqualTo(heap / 2);
    }

    @Test
    void configMapHoldsStringSettingsAndNoSecrets() {
        Doc config = single("ConfigMap", CONFIG_MAP);
        List<String> problems = new ArrayList<>();
        Map<String, JsonNode> data = fields(config.at("/data"));
        data.forEach((k, v) -> {
            if (!v.isTextual()) {
                problems.add(config.where("data." + k + " must be a quoted string"));
            }
        });
        for (String required : List.of("ISSUETRAK_BASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "BRIDGE_SHUTDOWN_GRACE")) {
            if (!data.containsKey(required)) {
                problems.add(config.where("data." + required + " missing"));
            }
        }
        if (!data.getOrDefault("QUARKUS_LOG_CONSOLE_JSON_ENABLED", YAML.nullNode()).asText().equals("true")) {
            problems.add(config.where("data.QUARKUS_LOG_CONSOLE_JSON_ENABLED must be \"true\" in production"));
        }
        for (String secret : List.of("ISSUETRAK_API_KEY", "BRIDGE_REPLAY_TOKEN", "KAFKA_SASL_JAAS_CONFIG")) {
            if (data.containsKey(secret)) {
                problems.add(config.where(secret + " belongs in the Secret, not the ConfigMap"));
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void secretTemplateIsOpaqueAndHoldsOnlyPlaceholders() {
        Doc secret = single("Secret", SECRET);
        List<String> problems = new ArrayList<>();
        if (!secret.at("/type").asText().equals("Opaque")) {
            problems.add(secret.where("type must be Opaque"));
        }
        if (!secret.file().getFileName().toString().endsWith(TEMPLATE_SUFFIX)) {
            problems.add(secret.where("the Secret must live in a *" + TEMPLATE_SUFFIX + " file"));
        }
        Map<String, JsonNode> values = fields(secret.at("/stringData"));
        if (!values.containsKey("ISSUETRAK_API_KEY")) {
            problems.add(secret.where("stringData.ISSUETRAK_API_KEY missing"));
        }
        if (secret.node().has("data")) {
            problems.add(secret.where("use stringData placeholders, not base64 data, in the template"));
        }
        // Guards against a real key being committed into the template.
        values.forEach((k, v) -> {
            if (!v.isTextual() || !v.asText().contains("CHANGE_ME")) {
                problems.add(secret.where("stringData." + k + " must be a CHANGE_ME placeholder"));
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void serviceAndDisruptionBudgetSelectTheBridgePods() {
        Doc deployment = single("Deployment", APP);
        Map<String, JsonNode> podLabels = fields(deployment.at("/spec/template/metadata/labels"));
        Set<String> containerPorts = new HashSet<>();
        list(deployment.at("/spec/template/spec/containers"))
                .forEach(c -> list(c.path("ports")).forEach(p -> containerPorts.add(p.path("name").asText())));
        List<String> problems = new ArrayList<>();

        Doc pdb = single("PodDisruptionBudget", null);
        checkSelector(pdb, pdb.at("/spec/selector/matchLabels"), podLabels, problems);
        if (!pdb.at("/spec/maxUnavailable").isValueNode() && !pdb.at("/spec/minAvailable").isValueNode()) {
            problems.add(pdb.where("spec.maxUnavailable or spec.minAvailable required"));
        }

        Doc service = single("Service", null);
        checkSelector(service, service.at("/spec/selector"), podLabels, problems);
        List<JsonNode> ports = list(service.at("/spec/ports"));
        if (ports.stream().noneMatch(p -> p.path("port").asInt() == MANAGEMENT_PORT)) {
            problems.add(service.where("must expose port " + MANAGEMENT_PORT));
        }
        for (JsonNode p : ports) {
            JsonNode target = p.path("targetPort");
            if (target.isTextual() && !containerPorts.contains(target.asText())) {
                problems.add(service.where("targetPort " + target.asText() + " is no container port name"));
            }
        }
        Map<String, JsonNode> annotations = fields(service.at("/metadata/annotations"));
        if (!annotations.getOrDefault("prometheus.io/scrape", YAML.nullNode()).asText().equals("true")
                || !annotations.getOrDefault("prometheus.io/port", YAML.nullNode()).asText()
                        .equals(String.valueOf(MANAGEMENT_PORT))
                || !annotations.getOrDefault("prometheus.io/path", YAML.nullNode()).asText().equals("/q/metrics")) {
            problems.add(service.where("prometheus.io/scrape, /port and /path annotations must point at "
                    + MANAGEMENT_PORT + " /q/metrics"));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyTopicIsDeclaredAndTheLedgerMatchesTheCommands() {
        List<Doc> topics = all("KafkaTopic");
        List<String> problems = new ArrayList<>();
        Set<String> clusters = new HashSet<>();
        for (Doc topic : topics) {
            if (topic.at("/spec/partitions").asInt(0) < 1) {
                problems.add(topic.where("spec.partitions must be a positive integer"));
            }
            if (topic.at("/spec/replicas").asInt(0) < 1) {
                problems.add(topic.where("spec.replicas must be a positive integer"));
            }
            JsonNode cluster = topic.at("/metadata/labels/strimzi.io~1cluster");
            if (!cluster.isTextual() || cluster.asText().isBlank()) {
                problems.add(topic.where("label strimzi.io/cluster missing"));
            }
            clusters.add(cluster.asText());
        }
        if (clusters.size() > 1) {
            problems.add("KafkaTopics name different Strimzi clusters: " + clusters);
        }
        Map<String, Doc> byTopic = topics.stream().collect(Collectors.toMap(DeployManifestsTest::topicName, t -> t));
        if (!byTopic.keySet().containsAll(TOPICS)) {
            problems.add("KafkaTopics missing: " + TOPICS.stream().filter(Predicate.not(byTopic::containsKey)).toList());
        }
        Doc commands = byTopic.get(COMMANDS_TOPIC);
        Doc ledger = byTopic.get(LEDGER_TOPIC);
        if (commands != null && ledger != null) {
            if (ledger.at("/spec/partitions").asInt() != commands.at("/spec/partitions").asInt()) {
                problems.add(ledger.where("spec.partitions must equal " + COMMANDS_TOPIC + "'s ("
                        + commands.at("/spec/partitions").asInt() + ")"));
            }
            List<String> policy = List.of(ledger.at("/spec/config/cleanup.policy").asText().split("\\s*,\\s*"));
            if (!policy.contains("compact")) {
                problems.add(ledger.where("config cleanup.policy must contain compact"));
            }
            // A command still redeliverable from the commands topic must still find its outcome.
            long ledgerRetention = ledger.at("/spec/config/retention.ms").asLong(Long.MAX_VALUE);
            long commandsRetention = commands.at("/spec/config/retention.ms").asLong(Long.MAX_VALUE);
            if (policy.contains("delete") && ledgerRetention != -1
                    && (commandsRetention == -1 || ledgerRetention < commandsRetention)) {
                problems.add(ledger.where("retention.ms must not be shorter than " + COMMANDS_TOPIC + "'s"));
            }
        }
        // Routing marks: one partition every pod reads whole, compacted to the latest mark per commands partition.
        Doc routing = byTopic.get(ROUTING_TOPIC);
        if (routing != null) {
            if (routing.at("/spec/partitions").asInt() != 1) {
                problems.add(routing.where("spec.partitions must be 1 (the bridge writes and reads partition 0)"));
            }
            if (!routing.at("/spec/config/cleanup.policy").asText().equals("compact")) {
                problems.add(routing.where("config cleanup.policy must be compact"));
            }
        }
        assertThat(problems).isEmpty();
    }

    /**
     * The KafkaUser grants what the bridge does with each topic and group (with the ConfigMap's names, else the
     * defaults), and nothing wider: no wildcard resource, no All, nothing on the cluster.
     */
    @Test
    void kafkaUserGrantsWhatTheBridgeNeedsAndNoMore() {
        Doc user = single("KafkaUser", APP);
        Map<String, JsonNode> config = fields(single("ConfigMap", CONFIG_MAP).at("/data"));
        List<String> problems = new ArrayList<>();
        if (!user.at("/spec/authentication/type").asText().equals("scram-sha-512")) {
            problems.add(user.where("spec.authentication.type must be scram-sha-512"));
        }
        if (!user.at("/spec/authorization/type").asText().equals("simple")) {
            problems.add(user.where("spec.authorization.type must be simple"));
        }
        Set<String> clusters = all("KafkaTopic").stream()
                .map(t -> t.at("/metadata/labels/strimzi.io~1cluster").asText()).collect(Collectors.toSet());
        if (!clusters.contains(user.at("/metadata/labels/strimzi.io~1cluster").asText())) {
            problems.add(user.where("label strimzi.io/cluster must name the KafkaTopics' cluster " + clusters));
        }
        Map<String, Set<String>> granted = aclsOf(user);
        Map<String, Set<String>> needed = new TreeMap<>();
        needed.put("topic " + COMMANDS_TOPIC, Set.of("Read", "Write"));
        needed.put("topic issuetrak.notes.replies", Set.of("Write"));
        needed.put("topic issuetrak.notes.errors", Set.of("Write"));
        needed.put("topic issuetrak.notes.dlq", Set.of("Write", "Read"));
        boolean createsLedger = !config.getOrDefault("BRIDGE_LEDGER_CREATE_TOPIC", YAML.nullNode()).asText()
                .equals("false");
        needed.put("topic " + LEDGER_TOPIC, createsLedger ? Set.of("Write", "Read", "DescribeConfigs", "Create")
                : Set.of("Write", "Read", "DescribeConfigs"));
        // Routing marks, on by default (BRIDGE_ROUTING_MARKS_ENABLED).
        needed.put("topic " + ROUTING_TOPIC, Set.of("Write", "Read"));
        needed.put("group " + config.getOrDefault("KAFKA_GROUP_ID", YAML.getNodeFactory().textNode(APP)).asText(), Set.of("Read"));
        needed.put("group " + config.getOrDefault("BRIDGE_REPLAY_CONSUMER_GROUP", YAML.getNodeFactory().textNode(APP + "-replay"))
                .asText(), Set.of("Read"));
        for (Doc topic : all("KafkaTopic")) {
            needed.putIfAbsent("topic " + topicName(topic), Set.of("Describe"));
        }
        needed.forEach((resource, operations) -> {
            Set<String> has = granted.getOrDefault(resource, Set.of());
            if (!has.containsAll(operations)) {
                problems.add(user.where("ACLs on " + resource + " must include " + new TreeSet<>(operations)
                        + ", has " + new TreeSet<>(has)));
            }
        });
        granted.forEach((resource, operations) -> {
            if (!needed.containsKey(resource)) {
                problems.add(user.where("ACL on " + resource + ", which the bridge does not use"));
            }
            if (operations.contains("All")) {
                problems.add(user.where("ACL All on " + resource + ": name the operations"));
            }
        });
        assertThat(problems).isEmpty();
    }

    /** The README's ACL table is the manifest's set, row for row. */
    @Test
    void readmeAclTableIsTheKafkaUsersAcls() throws IOException {
        Doc user = single("KafkaUser", APP);
        Set<String> manifest = new TreeSet<>();
        for (JsonNode acl : user.at("/spec/authorization/acls")) {
            for (JsonNode op : acl.path("operations")) {
                manifest.add("User:" + APP + " " + acl.at("/resource/type").asText() + " "
                        + acl.at("/resource/name").asText() + " " + acl.at("/resource/patternType").asText() + " "
                        + op.asText());
            }
        }
        Set<String> readme = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("README.md"))) {
            if (!line.startsWith("| `User:")) {
                continue;
            }
            String[] cells = line.split("\\|");
            for (String op : cells[5].split(",")) {
                readme.add(String.join(" ", cells[1].strip().replace("`", ""), cells[2].strip(),
                        cells[3].strip().replace("`", ""), cells[4].strip(), op.strip()));
            }
        }
        assertThat(readme).as("README, Kafka ACLs").isEqualTo(manifest);
    }

    /** "topic name" (or "group name") to the operations the KafkaUser allows on it. */
    private static Map<String, Set<String>> aclsOf(Doc user) {
        Map<String, Set<String>> granted = new TreeMap<>();
        for (JsonNode acl : user.at("/spec/authorization/acls")) {
            String resource = acl.at("/resource/type").asText() + " " + acl.at("/resource/name").asText();
            if (!acl.at("/resource/patternType").asText("literal").equals("literal") || acl.path("type").asText("allow")
                    .equals("deny") || acl.at("/resource/name").asText().equals("*")) {
                resource = resource + " (" + acl.at("/resource/patternType").asText() + ", " + acl.path("type")
                        .asText("allow") + ")";
            }
            granted.computeIfAbsent(resource, r -> new TreeSet<>()).addAll(texts(acl.path("operations")));
        }
        return granted;
    }

    @Test
    void autoscalingFollowsCommandLagWithinThePartitionCount() {
        Doc scaled = single("ScaledObject", null);
        Doc deployment = single("Deployment", APP);
        Doc commands = all("KafkaTopic").stream().filter(t -> topicName(t).equals(COMMANDS_TOPIC)).findFirst()
                .orElseThrow(() -> new AssertionError("no KafkaTopic for " + COMMANDS_TOPIC));
        List<String> problems = new ArrayList<>();
        if (!scaled.at("/spec/scaleTargetRef/name").asText().equals(deployment.name())) {
            problems.add(scaled.where("spec.scaleTargetRef.name must be " + deployment.name()));
        }
        int partitions = commands.at("/spec/partitions").asInt();
        int max = scaled.at("/spec/maxReplicaCount").asInt(0);
        int min = scaled.at("/spec/minReplicaCount").asInt(0);
        if (max < 1 || max > partitions) {
            problems.add(scaled.where("spec.maxReplicaCount " + max + " must be 1.." + partitions
                    + " (the commands partitions; more replicas stay idle)"));
        }
        if (min > max) {
            problems.add(scaled.where("spec.minReplicaCount exceeds maxReplicaCount"));
        }
        List<JsonNode> kafka = list(scaled.at("/spec/triggers")).stream()
                .filter(t -> t.path("type").asText().equals("kafka")).toList();
        if (kafka.isEmpty()) {
            problems.add(scaled.where("needs a kafka trigger"));
        }
        for (JsonNode trigger : kafka) {
            JsonNode meta = trigger.path("metadata");
            if (!meta.path("consumerGroup").asText().equals(APP)) {
                problems.add(scaled.where("kafka trigger consumerGroup must be " + APP));
            }
            if (!meta.path("topic").asText().equals(COMMANDS_TOPIC)) {
                problems.add(scaled.where("kafka trigger topic must be " + COMMANDS_TOPIC));
            }
            if (meta.path("bootstrapServers").asText().isBlank()) {
                problems.add(scaled.where("kafka trigger bootstrapServers missing"));
            }
            // KEDA reads trigger metadata as strings only.
            if (!meta.path("lagThreshold").isTextual() || !meta.path("lagThreshold").asText().matches("[1-9]\\d*")) {
                problems.add(scaled.where("kafka trigger lagThreshold must be a quoted positive integer"));
            }
            fields(meta).forEach((k, v) -> {
                if (!v.isTextual()) {
                    problems.add(scaled.where("kafka trigger metadata." + k + " must be a quoted string"));
                }
            });
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void dockerfilesDocumentTheirBuildAndRunAsNonRoot() throws IOException {
        List<String> problems = new ArrayList<>();
        for (String name : List.of("Dockerfile.jvm", "Dockerfile.native-micro")) {
            Path file = DOCKER.resolve(name);
            if (!Files.isRegularFile(file)) {
                problems.add(file + " missing");
                continue;
            }
            List<String> lines = Files.readAllLines(file);
            String header = lines.stream().takeWhile(l -> l.startsWith("#")).collect(Collectors.joining("\n"));
            for (String command : List.of("./mvnw package", "docker build -f src/main/docker/" + name,
                    "docker run", "ISSUETRAK_BASE_URL")) {
                if (!header.contains(command)) {
                    problems.add(name + ": opening comment must show `" + command + "`");
                }
            }
            List<String> instructions = lines.stream().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
            if (instructions.stream().noneMatch(l -> l.startsWith("FROM "))) {
                problems.add(name + ": no FROM");
            }
            // The last USER wins; a later `USER root` would undo an earlier non-root one.
            Optional<String> user = instructions.stream().filter(l -> l.startsWith("USER "))
                    .reduce((first, second) -> second).map(l -> l.substring(5).strip().split(":")[0]);
            if (user.isEmpty() || !user.get().matches("[1-9]\\d*")) {
                problems.add(name + ": last USER must be a numeric non-root uid (Kubernetes' runAsNonRoot"
                        + " can only verify numbers), found " + user.orElse("none"));
            }
            Set<String> exposed = instructions.stream().filter(l -> l.startsWith("EXPOSE "))
                    .flatMap(l -> Stream.of(l.substring(7).strip().split("\\s+")))
                    .map(p -> p.split("/")[0]).collect(Collectors.toSet());
            if (!exposed.containsAll(Set.of("8080", String.valueOf(MANAGEMENT_PORT)))) {
                problems.add(name + ": must EXPOSE 8080 and " + MANAGEMENT_PORT + ", found " + exposed);
            }
        }
        Path ignore = Path.of(".dockerignore");
        if (!Files.isRegularFile(ignore)) {
            problems.add(".dockerignore missing");
        } else {
            List<String> rules = Files.readAllLines(ignore).stream().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
            if (rules.isEmpty() || !rules.get(0).equals("*")
                    || !rules.containsAll(List.of("!target/quarkus-app/", "!target/*-runner"))) {
                problems.add(".dockerignore must exclude everything (*) except target/quarkus-app/ and"
                        + " target/*-runner, found " + rules);
            }
        }
        assertThat(problems).isEmpty();
    }

    // --- helpers ---------------------------------------------------------------------------------

    private static List<Path> manifestFiles() throws IOException {
        try (Stream<Path> files = Files.list(DEPLOY)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
        }
    }

    private static List<Doc> read(Path file) throws IOException {
        List<Doc> result = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            int index = 0;
            while (it.hasNextValue()) {
                JsonNode node = it.nextValue();
                // An empty document (a stray or trailing ---) is legal YAML and applies nothing.
                if (node != null && !node.isMissingNode() && !node.isNull()) {
                    assertThat(node.isObject()).as(file + " document " + (index + 1) + " is not a mapping").isTrue();
                    result.add(new Doc(file, index, node));
                }
                index++;
            }
        }
        assertThat(result).as(file + " holds no document").isNotEmpty();
        return result;
    }

    private static List<Doc> all(String kind) {
        return docs.stream().filter(d -> d.kind().equals(kind)).toList();
    }

    /** The only document of a kind (and name, when given). */
    private static Doc single(String kind, String name) {
        List<Doc> found = all(kind).stream().filter(d -> name == null || d.name().equals(name)).toList();
        assertThat(found).as("exactly one " + kind + (name == null ? "" : " " + name) + " in deploy/").hasSize(1);
        return found.get(0);
    }

    private static String topicName(Doc topic) {
        String spec = topic.at("/spec/topicName").asText();
        return spec.isEmpty() ? topic.name() : spec;
    }

    private static void checkSelector(Doc doc, JsonNode selector, Map<String, JsonNode> podLabels,
            List<String> problems) {
        Map<String, JsonNode> wanted = fields(selector);
        if (wanted.isEmpty()) {
            problems.add(doc.where("selector is empty"));
        }
        wanted.forEach((k, v) -> {
            if (!podLabels.containsKey(k) || !podLabels.get(k).asText().equals(v.asText())) {
                problems.add(doc.where("selector " + k + "=" + v.asText() + " matches no Deployment pod label"));
            }
        });
    }

    private static void checkProbe(Doc doc, JsonNode container, String probe, String path,
            Map<String, Integer> ports, List<String> problems) {
        JsonNode get = container.path(probe).path("httpGet");
        String where = "container " + container.path("name").asText() + " " + probe;
        if (!get.path("path").asText().equals(path)) {
            problems.add(doc.where(where + ".httpGet.path must be " + path));
        }
        JsonNode port = get.path("port");
        int number = port.isTextual() ? ports.getOrDefault(port.asText(), -1) : port.asInt(-1);
        if (number != MANAGEMENT_PORT) {
            problems.add(doc.where(where + ".httpGet.port must be the management port " + MANAGEMENT_PORT));
        }
    }

    private static void requireText(Doc doc, JsonNode node, String pointer, String field, List<String> problems) {
        JsonNode value = node.at(pointer);
        if (!value.isValueNode() || value.asText().isBlank()) {
            problems.add(doc.where(field + " missing"));
        }
    }

    private static Map<String, JsonNode> fields(JsonNode node) {
        Map<String, JsonNode> result = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            node.properties().forEach(e -> result.put(e.getKey(), e.getValue()));
        }
        return result;
    }

    private static List<JsonNode> list(JsonNode node) {
        return node != null && node.isArray()
                ? StreamSupport.stream(node.spliterator(), false).toList()
                : List.of();
    }

    private static Set<String> texts(JsonNode array) {
        return list(array).stream().map(JsonNode::asText).collect(Collectors.toSet());
    }

    private static Set<String> names(JsonNode array) {
        return list(array).stream().map(n -> n.path("name").asText()).collect(Collectors.toSet());
    }

    /** Parses a duration the way Quarkus config does: "30s", "500ms", bare seconds, or ISO-8601. */
    static Duration quarkusDuration(String value) {
        Matcher m = SHORT_DURATION.matcher(value.strip());
        if (!m.matches()) {
            return Duration.parse(value.strip());
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }
}
