package io.issuetrakbridge.issuetrak;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLHandshakeException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.config.ApiKey;
import io.issuetrakbridge.issuetrak.IssuetrakException.Ambiguous;
import io.issuetrakbridge.issuetrak.IssuetrakException.Rejected;
import io.issuetrakbridge.issuetrak.IssuetrakException.Throttled;
import io.issuetrakbridge.issuetrak.IssuetrakException.Unauthorized;
import io.issuetrakbridge.issuetrak.IssuetrakException.Unavailable;

/**
 * The one place that turns what happened to an Issuetrak call into success or one
 * {@link IssuetrakException}: HTTP statuses, Retry-After and transport failures. Every message it
 * builds is scrubbed of the API key and of request signatures, even when Issuetrak echoes them back.
 */
public final class ResponseClassifier {

    /** Issuetrak's message is cut to this many characters: enough to diagnose, bounded for replies and logs. */
    public static final int MAX_MESSAGE_LENGTH = 1000;

    static final String MASK = "****";

    // Catches an echoed authorization header even when we cannot know its value (another request's signature).
    private static final Pattern AUTH_HEADER_VALUE = Pattern.compile(
            "(?i)(x-issuetrak-api-authorization\\\\?[\"']?\\s*[:=]\\s*\\\\?[\"']?)[^\\s\"',;}\\]\\\\]+");
    private static final Pattern DELTA_SECONDS = Pattern.compile("\\d{1,18}");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}&&[^\\t]]+");
    private static final Pattern HTML = Pattern.compile("(?is)\\s*(<\\?xml[^>]*>\\s*)?(<!--.*?-->\\s*)*<(!doctype\\s+html|html|head|body)\\b");
    private static final Pattern HTML_TITLE = Pattern.compile("(?is)<title[^>]*>(.*?)</title>");
    private static final Pattern TAG = Pattern.compile("<[^>]*>");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    /** An HTML page's title is cut to this: a reason, not the page. */
    private static final int MAX_TITLE_LENGTH = 120;

    private final List<String> keyForms;
    private final ObjectMapper json;
    private final Clock clock;

    public ResponseClassifier(ApiKey apiKey, ObjectMapper json, Clock clock) {
        this.keyForms = secretForms(Objects.requireNonNull(apiKey, "apiKey").reveal());
        this.json = Objects.requireNonNull(json, "json");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public ResponseClassifier(ApiKey apiKey) {
        this(apiKey, new ObjectMapper(), Clock.systemUTC());
    }

    /**
     * Classifies an HTTP answer.
     *
     * @param operation what was called, for the message, e.g. {@code POST /api/v1/notes} (never headers)
     * @param status the HTTP status
     * @param retryAfter the Retry-After header, or null
     * @param body the response body as text, or null
     * @param signature the signature sent with the request, scrubbed from the message should the server echo it
     * @return empty for 2xx, otherwise the failure
     */
    public Optional<IssuetrakException> classify(String operation, int status, String retryAfter, String body, String signature) {
        if (status >= 200 && status < 300) {
            return Optional.empty();
        }
        String detail = describe(status, body, signature);
        String message = "Issuetrak answered " + status + " to " + operation + (detail.isEmpty() ? "" : ": " + detail);
        if (status == 404 && operation.startsWith("POST ")) {
            // Issuetrak answers a create for an issue that does not exist with 400; a 404 to the one POST route
            // comes from IIS before the API (the route is not at issuetrak.base-url). No note was created, and
            // every command would meet it: retried as UNAVAILABLE, so a lasting one pauses the bridge instead of
            // dead-lettering each command.
            return Optional.of(new Unavailable(status, message + "; the notes route is not at this URL: check "
                    + "issuetrak.base-url", null));
        }
        if (status == 400 || status == 404 || status == 422) {
            return Optional.of(new Rejected(status, message));
        }
        if (status == 401 || status == 403) {
            return Optional.of(new Unauthorized(status, message));
        }
        if (status == 429) {
            return Optional.of(new Throttled(message, parseRetryAfter(retryAfter, clock.instant()).orElse(null)));
        }
        if (status >= 400 && status < 500) {
            return Optional.of(new Rejected(status, message));
        }
        // 5xx, and 1xx/3xx which mean the base URL points somewhere that is not the API (a redirect to
        // HTTPS or a login page): nothing was created, and retrying after a fix can succeed.
        return Optional.of(new Unavailable(status, message, null));
    }

    /**
     * Classifies a failure without an HTTP answer. Failures before the request could leave (DNS,
     * refused, connect timeout, TLS handshake) are {@link Unavailable}; anything after it may have left
     * is {@link Ambiguous}, including failures this method does not recognise.
     */
    public IssuetrakException classify(String operation, Throwable failure) {
        if (failure instanceof IssuetrakException classified) {
            return classified;
        }
        String reason = scrub(describe(failure), null);
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return new Unavailable(null, "Cannot resolve Issuetrak's host for " + operation + ": " + reason, failure);
            }
            // Also io.netty.channel.ConnectTimeoutException, a ConnectException.
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return new Unavailable(null, "Cannot connect to Issuetrak for " + operation + ": " + reason, failure);
            }
            if (t instanceof SSLHandshakeException) {
                return new Unavailable(null, "TLS handshake with Issuetrak failed for " + operation + ": " + reason, failure);
            }
            if (t instanceof TimeoutException && t.getMessage() != null && t.getMessage().contains("getting a connection")) {
                // Vert.x's pool gave up waiting for a connection: the request never left.
                return new Unavailable(null, "No connection to Issuetrak for " + operation + ": " + reason, failure);
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return new Ambiguous("No answer from Issuetrak in time for " + operation + "; it may have taken effect: "
                        + reason, failure);
            }
            if (t instanceof IOException || t instanceof io.vertx.core.VertxException) {
                // HttpClosedException, "Connection was closed", "Connection reset": the request was on the wire.
                return new Ambiguous("Connection to Issuetrak lost during " + operation + "; it may have taken effect: "
                        + reason, failure);
            }
        }
        return new Ambiguous("Issuetrak call " + operation + " failed; it may have taken effect: " + reason, failure);
    }

    /**
     * A 2xx whose body is not what the operation returns. After a create the note most likely exists,
     * so that is {@link Ambiguous}; for a read nothing changed, so it is {@link Unavailable}.
     */
    public IssuetrakException unreadableAnswer(String operation, int status, boolean mayHaveTakenEffect) {
        String message = "Issuetrak answered " + status + " to " + operation + " with a body that cannot be read";
        return mayHaveTakenEffect
                ? new Ambiguous(message + "; it may have taken effect", null)
                : new Unavailable(status, message, null);
    }

    /**
     * A 404 to a signed request on a route the notes API has: nothing there answers for Issuetrak's API, so
     * {@code issuetrak.base-url} is wrong. Names the URL asked (without user-info or query) so an operator sees it.
     */
    public IssuetrakException noApiAt(String url) {
        return new Rejected(404, "No Issuetrak notes API at " + scrub(url, null)
                + ": it answered 404 to a signed GET; check issuetrak.base-url");
    }

    /**
     * Parses Retry-After: delta-seconds or an HTTP-date (RFC 1123). A date in the past is zero;
     * anything absent or unparsable is empty, leaving the delay to the caller's back-off.
     */
    public static Optional<Duration> parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        if (DELTA_SECONDS.matcher(v).matches()) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(now, at);
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * Removes the API key (plain, JSON-escaped and URL-encoded), the given signature and any echoed
     * authorization header value, and control characters that could forge log lines.
     */
    public String scrub(String text, String signature) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        String out = text;
        for (String form : keyForms) {
            out = out.replace(form, MASK);
        }
        if (signature != null && !signature.isEmpty()) {
            for (String form : secretForms(signature)) {
                out = out.replace(form, MASK);
            }
        }
        Matcher m = AUTH_HEADER_VALUE.matcher(out);
        out = m.replaceAll(r -> Matcher.quoteReplacement(r.group(1)) + MASK);
        return CONTROL.matcher(out).replaceAll(" ");
    }

    private String describe(int status, String body, String signature) {
        String text = scrub(issuetrakMessage(body), signature).strip();
        if (text.length() > MAX_MESSAGE_LENGTH) {
            text = text.substring(0, MAX_MESSAGE_LENGTH) + "…";
        }
        return text;
    }

    /**
     * ASP.NET Web API errors are {@code {"Message": "..."}}, for an invalid DTO with {@code "ModelState"} (field ->
     * messages), which is what says what was wrong; an HTML page (IIS, ASP.NET's error pages) is named by its
     * title, never shown; anything else is shown as text.
     */
    private String issuetrakMessage(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        if (HTML.matcher(body).lookingAt()) {
            Matcher title = HTML_TITLE.matcher(body);
            String name = title.find() ? WHITESPACE.matcher(TAG.matcher(title.group(1)).replaceAll(" ")).replaceAll(" ").strip()
                    : "";
            if (name.length() > MAX_TITLE_LENGTH) {
                name = name.substring(0, MAX_TITLE_LENGTH) + "…";
            }
            return name.isEmpty() ? "an HTML page" : "an HTML page titled \"" + name + "\"";
        }
        try {
            JsonNode node = json.readTree(body);
            if (node != null && node.isObject()) {
                for (String field : List.of("Message", "message", "ExceptionMessage", "error")) {
                    JsonNode value = node.get(field);
                    if (value != null && value.isTextual()) {
                        return value.asText() + modelState(node.get("ModelState"));
                    }
                }
            }
            // Re-serialised, escapes such as "\/" are gone, so scrubbing sees the plain key.
            return node == null ? body : node.toString();
        } catch (JsonProcessingException e) {
            return body;
        }
    }

    /** {@code {"note.CreatedBy": ["The CreatedBy field is required."]}} as " note.CreatedBy: The CreatedBy ...". */
    private static String modelState(JsonNode modelState) {
        if (modelState == null || !modelState.isObject()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        modelState.properties().forEach(entry -> {
            List<String> messages = new ArrayList<>();
            (entry.getValue().isArray() ? entry.getValue() : List.of(entry.getValue())).forEach(m -> {
                if (m.isTextual()) {
                    messages.add(m.asText());
                }
            });
            if (!messages.isEmpty()) {
                out.append(out.length() == 0 ? " " : "; ")
                        .append(entry.getKey().isEmpty() ? "" : entry.getKey() + ": ")
                        .append(String.join(" ", messages));
            }
        });
        return out.toString();
    }

    private static List<String> secretForms(String secret) {
        List<String> forms = new ArrayList<>();
        forms.add(secret);
        forms.add(secret.replace("/", "\\/"));
        forms.add(secret.replace("+", "\\u002B").replace("=", "\\u003D").replace("/", "\\/"));
        forms.add(secret.replace("+", "\\u002b").replace("=", "\\u003d"));
        forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
        forms.removeIf(String::isEmpty);
        return forms.stream().distinct().toList();
    }

    /** The outermost failure that says something, e.g. "UnknownHostException: Failed to resolve 'x'". */
    private static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        return failure.getClass().getSimpleName();
    }
}
