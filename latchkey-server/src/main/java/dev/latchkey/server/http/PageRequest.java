package dev.latchkey.server.http;

import dev.latchkey.core.accounts.UserQuery;
import dev.latchkey.core.administration.UserAdministration;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@code limit} and {@code cursor} query parameters of the admin listings (users, audit
 * trail): a page of 1 to 200 entries (50 when absent or blank), after the position named by
 * the opaque {@code nextCursor} of the previous page (absent or blank: the first page).
 *
 * @param after the decoded cursor, null for the first page
 */
record PageRequest<P>(int limit, P after) {
    static final int DEFAULT_LIMIT = UserAdministration.DEFAULT_PAGE_SIZE;
    static final int MAX_LIMIT = UserQuery.MAX_LIMIT;

    /**
     * Reads both parameters, putting what is wrong with them into {@code problems} (the caller
     * adds its own filters' problems and refuses the request once with all of them).
     *
     * @param cursors decodes a cursor the listing gave out; empty for anything else
     */
    static <P> PageRequest<P> read(Context ctx, Function<String, Optional<P>> cursors, Map<String, String> problems) {
        int limit = DEFAULT_LIMIT;
        String limitText = optionalParam(ctx, "limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                problems.put("limit", "must be a whole number from 1 to " + MAX_LIMIT);
            }
        }
        P after = null;
        String cursor = optionalParam(ctx, "cursor");
        if (cursor != null) {
            after = cursors.apply(cursor).orElse(null);
            if (after == null) {
                problems.put("cursor", "is not a cursor this server gave out");
            }
        }
        return new PageRequest<>(limit, after);
    }

    /** A query parameter's value without surrounding white space; null when absent or blank. */
    static String optionalParam(Context ctx, String name) {
        String value = ctx.queryParam(name);
        return value == null || value.isBlank() ? null : value.strip();
    }
}
