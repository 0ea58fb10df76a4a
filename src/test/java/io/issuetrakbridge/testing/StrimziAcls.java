package io.issuetrakbridge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The ACLs of the Strimzi {@code KafkaUser} in {@code deploy/kafka-user.yaml}, as the User Operator writes them
 * to Kafka: one binding per resource and operation, for the principal {@code User:<metadata.name>}. Tests
 * grant exactly these, so the manifest an operator applies is the set the tests prove sufficient.
 */
public final class StrimziAcls {

    public static final Path KAFKA_USER = Path.of("deploy", "kafka-user.yaml");

    private StrimziAcls() {
    }

    /** The KafkaUser's name: its SCRAM user name and principal. */
    public static String userName() {
        return read().at("/metadata/name").asText();
    }

    /** Every ACL of the KafkaUser, for {@code User:<name>}. */
    public static List<AclBinding> bindings() {
        JsonNode user = read();
        String principal = "User:" + user.at("/metadata/name").asText();
        List<AclBinding> bindings = new ArrayList<>();
        for (JsonNode acl : user.at("/spec/authorization/acls")) {
            JsonNode resource = acl.path("resource");
            ResourcePattern pattern = new ResourcePattern(
                    ResourceType.fromString(resource.path("type").asText().toUpperCase(Locale.ROOT)),
                    resource.path("name").asText(),
                    PatternType.fromString(resource.path("patternType").asText("literal").toUpperCase(Locale.ROOT)));
            AclPermissionType permission = acl.path("type").asText("allow").equals("deny") ? AclPermissionType.DENY
                    : AclPermissionType.ALLOW;
            for (JsonNode operation : acl.path("operations")) {
                bindings.add(new AclBinding(pattern, new AccessControlEntry(principal, acl.path("host").asText("*"),
                        operation(operation.asText()), permission)));
            }
        }
        return bindings;
    }

    /** Strimzi's operation names are Kafka's in camel case: DescribeConfigs is DESCRIBE_CONFIGS. */
    private static AclOperation operation(String strimzi) {
        AclOperation op = AclOperation.fromString(strimzi.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
        if (op == AclOperation.UNKNOWN) {
            throw new IllegalArgumentException("not a Kafka ACL operation: " + strimzi);
        }
        return op;
    }

    private static JsonNode read() {
        try {
            return new YAMLMapper().readTree(KAFKA_USER.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
