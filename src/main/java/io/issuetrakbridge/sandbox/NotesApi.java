package io.issuetrakbridge.sandbox;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;


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
 * <li>{@code POST notes}: 201 with the bare NoteID; 400 with ModelState for malformed JSON, a value of the wrong
 * type, missing fields, inactive CreatedBy, non-existent issue, a date that is not one or does not fit
 * {@code datetime}</li>
 * </ul>
 * Responses that Issuetrak wraps carry {@code Metadata}: {@code APIVersion} and {@code QueryDate}, the latter in
 * UTC with seven fractional digits and a {@code Z}, exactly as the vendor's samples show it.
 */
final class NotesApi {

    // .NET round-trip form, as Issuetrak writes QueryDate.
    private static final DateTimeFormatter QUERY_DATE = DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final SandboxSettings settings;
    /** Active users by lower-cased name: Issuetrak matches names ignoring case and stores the user's own. */
    private final Map<String, String> activeUsers;
    private final NoteStore notes;
    private final FaultInjection faults;
    private final Responses responses;
    private final CreateNoteBinder binder;
    /** The W3C traceparent of the latest create-note request per issue: lets tests follow a trace. */
    private final Map<Long, String> traceparents = new ConcurrentHashMap<>();

    NotesApi(SandboxSettings settings, NoteStore notes, FaultInjection faults, Responses responses) {
        this.settings = settings;
        this.activeUsers = settings.activeUsers().stream()
                .collect(Collectors.toUnmodifiableMap(u -> u.toLowerCase(Locale.ROOT), u -> u));
        this.notes = notes;
        this.faults = faults;
        this.responses = responses;
        this.binder = new CreateNoteBinder(responses.mapper());
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

    /**
     * {@code POST notes}: bound and validated as ASP.NET would (400 with ModelState), then stored as SQL Server
     * would: CreatedDate through {@link SqlDatetime}, CreatedBy in the user's own casing.
     */
    void createNote(RoutingContext ctx) {
        CreateNoteBinder.Bound dto = binder.bind(SandboxRouter.body(ctx));
        Map<String, List<String>> errors = new LinkedHashMap<>(dto.errors());
        if (dto.issueNumber() != null && !settings.issueExists(dto.issueNumber())) {
            CreateNoteBinder.add(errors, CreateNoteBinder.key("IssueNumber"),
                    "IssueNumber " + dto.issueNumber() + " does not correspond to an existing Issue.");
        }
        String user = dto.createdBy() == null ? null : activeUsers.get(dto.createdBy().toLowerCase(Locale.ROOT));
        if (dto.createdBy() != null && !dto.createdBy().isBlank() && user == null) {
            CreateNoteBinder.add(errors, CreateNoteBinder.key("CreatedBy"),
                    "CreatedBy '" + dto.createdBy() + "' does not reference an existing, active User.");
        }
        LocalDateTime createdDate = null;
        try {
            createdDate = dto.createdDate() == null ? SqlDatetime.now(settings.timeZone())
                    : SqlDatetime.store(dto.createdDate(), settings.timeZone());
        } catch (IllegalArgumentException e) {
            CreateNoteBinder.add(errors, CreateNoteBinder.key("CreatedDate"), e.getMessage()
                    + (e.getMessage().startsWith("Could not convert") ? " Path 'CreatedDate'." : ""));
        }
        if (!errors.isEmpty()) {
            responses.modelState(ctx, errors);
            return;
        }
        CreateNote note = new CreateNote(dto.issueNumber(), SqlDatetime.format(createdDate), user,
                dto.shouldSuppressEmail(), dto.noteText(), dto.isPrivate(), dto.isRichText());
        String traceparent = ctx.request().getHeader("traceparent");
        if (traceparent != null) {
            traceparents.put(note.issueNumber(), traceparent);
        }
        faults.beforeStore(note.issueNumber(), () -> {
            ReadNote stored = notes.create(note);
            faults.afterStore(ctx, stored.noteId(), () -> created(ctx, stored.noteId()));
        });
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
