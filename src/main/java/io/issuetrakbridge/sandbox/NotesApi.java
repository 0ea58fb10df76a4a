package io.issuetrakbridge.sandbox;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.issuetrak.dto.CreateNote;
import io.issuetrakbridge.issuetrak.dto.KeyValue;
import io.issuetrakbridge.issuetrak.dto.NotePage;
import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/**
 * The Notes operations of Issuetrak's API v1, the last link of the API chain (the request is authenticated and
 * past the faults by now):
 * <ul>
 * <li>{@code GET notes/{noteID}}: 200 ReadNoteDTO; 400 id zero, negative or beyond 32 bits; 404 no such note;
 * 422 not a number</li>
 * <li>{@code GET notes/issue/{issueNumber}}: 200 paged wrapper; 400 no such issue or not positive; 422 not a
 * number</li>
 * <li>{@code POST notes}: 201 with the bare NoteID; 400 malformed JSON, missing fields, inactive CreatedBy,
 * non-existent issue</li>
 * </ul>
 */
final class NotesApi {

    // .NET round-trip form, as Issuetrak writes QueryDate.
    private static final DateTimeFormatter QUERY_DATE = DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final SandboxSettings settings;
    private final Set<String> activeUsersLower;
    private final NoteStore notes;
    private final FaultInjection faults;
    private final Responses responses;
    private final ObjectMapper json;
    /** The W3C traceparent of the latest create-note request per issue: lets tests follow a trace. */
    private final Map<Long, String> traceparents = new ConcurrentHashMap<>();

    NotesApi(SandboxSettings settings, NoteStore notes, FaultInjection faults, Responses responses) {
        this.settings = settings;
        this.activeUsersLower = settings.activeUsers().stream().map(u -> u.toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
        this.notes = notes;
        this.faults = faults;
        this.responses = responses;
        this.json = responses.mapper();
    }

    Optional<String> lastTraceparent(long issueNumber) {
        return Optional.ofNullable(traceparents.get(issueNumber));
    }

    /** {@code GET notes/{noteID}}; the id is the route's first capture. */
    void noteById(RoutingContext ctx) {
        long id = parseId(ctx, "noteID", ctx.pathParam("param0"));
        if (id <= 0) {
            return;
        }
        Optional<ReadNote> note = notes.get(id);
        if (note.isEmpty()) {
            responses.message(ctx, 404, "No Note exists with NoteID " + id + ".");
            return;
        }
        responses.json(ctx, 200, withMetadata(note.get(), metadata()));
    }

    /** {@code GET notes/issue/{issueNumber}}; the number is the route's first capture. */
    void notesForIssue(RoutingContext ctx) {
        long issue = parseId(ctx, "issueNumber", ctx.pathParam("param0"));
        if (issue <= 0) {
            return;
        }
        if (!settings.issueExists(issue)) {
            responses.message(ctx, 400, "Issue " + issue + " does not exist.");
            return;
        }
        List<KeyValue> metadata = metadata();
        List<ReadNote> stored = notes.forIssue(issue);
        List<ReadNote> collection = new ArrayList<>(stored.size());
        for (ReadNote note : stored) {
            collection.add(withMetadata(note, metadata));
        }
        responses.json(ctx, 200,
                new NotePage(true, 0, collection.size(), Integer.MAX_VALUE, collection.size(), collection));
    }

    /** {@code POST notes}. */
    void createNote(RoutingContext ctx) {
        CreateNote note;
        try {
            note = json.readValue(SandboxRouter.body(ctx), CreateNote.class);
        } catch (JsonProcessingException e) {
            responses.message(ctx, 400, "The request is invalid: the body is not a CreateNoteDTO JSON object ("
                    + e.getOriginalMessage() + ").");
            return;
        } catch (java.io.IOException e) {
            responses.message(ctx, 400, "The request is invalid: unreadable body.");
            return;
        }
        String invalid = validate(note);
        if (invalid != null) {
            responses.message(ctx, 400, invalid);
            return;
        }
        String traceparent = ctx.request().getHeader("traceparent");
        if (traceparent != null) {
            traceparents.put(note.issueNumber(), traceparent);
        }
        faults.beforeStore(note.issueNumber(), () -> {
            ReadNote stored = notes.create(note);
            faults.afterStore(ctx, () -> created(ctx, stored.noteId()));
        });
    }

    private String validate(CreateNote note) {
        if (note == null) {
            return "The request is invalid: the body must be a CreateNoteDTO JSON object.";
        }
        if (!settings.issueExists(note.issueNumber())) {
            return note.issueNumber() == 0
                    ? "The request is invalid: IssueNumber is required."
                    : "IssueNumber " + note.issueNumber() + " does not correspond to an existing Issue.";
        }
        if (note.createdBy() == null || note.createdBy().isEmpty()) {
            return "The request is invalid: CreatedBy is required.";
        }
        if (!activeUsersLower.contains(note.createdBy().toLowerCase(Locale.ROOT))) {
            return "CreatedBy '" + note.createdBy() + "' does not reference an existing, active User.";
        }
        if (note.noteText() == null || note.noteText().isEmpty()) {
            return "The request is invalid: NoteText is required.";
        }
        if (note.createdDate() == null || note.createdDate().isBlank()) {
            return "The request is invalid: CreatedDate is required.";
        }
        try {
            DateTimeFormatter.ISO_DATE_TIME.parse(note.createdDate());
        } catch (DateTimeParseException e) {
            return "The request is invalid: CreatedDate '" + note.createdDate() + "' is not an ISO 8601 date and time.";
        }
        return null;
    }

    private void created(RoutingContext ctx, long noteId) {
        responses.send(ctx, 201, Responses.JSON, Buffer.buffer(Long.toString(noteId)));
    }

    /**
     * Parses a positive 32-bit id from a path segment, or answers the error and returns -1: 422 when it is not
     * a number at all, 400 when it is a number Issuetrak cannot have.
     */
    private long parseId(RoutingContext ctx, String name, String text) {
        int start = text.startsWith("-") || text.startsWith("+") ? 1 : 0;
        boolean numeric = text.length() > start;
        for (int i = start; i < text.length() && numeric; i++) {
            char c = text.charAt(i);
            numeric = c >= '0' && c <= '9';
        }
        if (!numeric) {
            responses.message(ctx, 422, "The " + name + " '" + text + "' is not a valid integer.");
            return -1;
        }
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException tooManyDigits) {
            value = Long.MAX_VALUE;
        }
        if (value <= 0 || value > Integer.MAX_VALUE) {
            responses.message(ctx, 400,
                    "The " + name + " must be a positive 32-bit integer; received '" + text + "'.");
            return -1;
        }
        return value;
    }

    private static List<KeyValue> metadata() {
        return List.of(new KeyValue("APIVersion", "v1"), new KeyValue("QueryDate", QUERY_DATE.format(Instant.now())));
    }

    private static ReadNote withMetadata(ReadNote note, List<KeyValue> metadata) {
        return new ReadNote(List.of(), metadata, note.noteId(), note.issueNumber(), note.createdDate(),
                note.createdBy(), note.modifiedBy(), note.modifiedDate(), note.noteText(), note.isPrivate(),
                note.isRichText());
    }
}
