package io.issuetrakbridge.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test field of type {@link CommandTopics} to receive the application's topics, opened once per
 * application start by {@link KafkaTestResource} and closed when the application stops.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface InjectCommandTopics {
}
