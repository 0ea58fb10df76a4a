package io.issuetrakbridge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * Records, for the native reflection check, every type of ours that the application's ObjectMapper
 * builds a bean (de)serializer or an enum (de)serializer for while the tests run. Those are the
 * types Jackson binds reflectively at run time; {@code .ci/check-native-reflection} then fails when
 * one of them is missing from the native image's reflect-config.json.
 * <p>
 * Test scope only: a CDI customizer of the application's ObjectMapper, appending to
 * {@code target/jackson-bound-types.txt} (one class name a line; the check de-duplicates).
 */
@Singleton
public class JacksonBindingRecorder implements ObjectMapperCustomizer {

    /** Where the bound types go; the CI check reads it. */
    public static final Path OUTPUT = Path.of("target", "jackson-bound-types.txt");
    private static final String OURS = "io.issuetrakbridge.";
    private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();

    @Override
    public void customize(ObjectMapper mapper) {
        SimpleModule module = new SimpleModule("jackson-binding-recorder");
        module.setSerializerModifier(new BeanSerializerModifier() {
            @Override
            public List<BeanPropertyWriter> changeProperties(SerializationConfig config, BeanDescription bean,
                    List<BeanPropertyWriter> properties) {
                record(bean.getBeanClass());
                return properties;
            }

            @Override
            public JsonSerializer<?> modifyEnumSerializer(SerializationConfig config, JavaType type,
                    BeanDescription bean, JsonSerializer<?> serializer) {
                record(type.getRawClass());
                return serializer;
            }
        });
        module.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription bean,
                    BeanDeserializerBuilder builder) {
                record(bean.getBeanClass());
                return builder;
            }

            @Override
            public JsonDeserializer<?> modifyEnumDeserializer(DeserializationConfig config, JavaType type,
                    BeanDescription bean, JsonDeserializer<?> deserializer) {
                record(type.getRawClass());
                return deserializer;
            }
        });
        mapper.registerModule(module);
    }

    /** The types recorded by this JVM so far (for a test's own assertion). */
    public static Set<String> recorded() {
        return Set.copyOf(SEEN);
    }

    private static void record(Class<?> type) {
        String name = type.getName();
        if (!name.startsWith(OURS) || !SEEN.add(name)) {
            return;
        }
        synchronized (JacksonBindingRecorder.class) {
            try {
                Files.createDirectories(OUTPUT.getParent());
                Files.writeString(OUTPUT, name + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot record a Jackson-bound type in " + OUTPUT, e);
            }
        }
    }
}
