package dev.latchkey.store;

import dev.latchkey.store.jdbc.Engine;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A database URL as operators write it, turned into what the JDBC driver needs. The user and
 * password are taken out of {@code postgres://user:pass@host/db} (percent-decoded) so they travel
 * as connection properties rather than inside a URL that might get logged.
 *
 * @param description where the database is, without credentials: safe for logs and messages
 */
public record DatabaseUrl(Engine engine, String jdbcUrl, String user, String password, String description) {

    private static final String EXPECTED =
            "expected postgres://user:password@host:port/database, postgresql://..., jdbc:postgresql://... or jdbc:sqlite:<file>";

    /**
     * Parses {@code url}. Throws {@link IllegalArgumentException} with a one-line message naming
     * what is wrong; the message never repeats the URL, which may hold a password.
     */
    public static DatabaseUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("is empty; " + EXPECTED);
        }
        String trimmed = url.strip();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (lower.startsWith("postgres://") || lower.startsWith("postgresql://")) {
            return parsePostgres(trimmed);
        }
        if (lower.startsWith("jdbc:postgresql://")) {
            String location = trimmed.substring("jdbc:postgresql://".length()).split("\\?", 2)[0];
            return new DatabaseUrl(Engine.POSTGRESQL, trimmed, null, null, "postgresql at " + location);
        }
        if (lower.startsWith("jdbc:sqlite:")) {
            String file = trimmed.substring("jdbc:sqlite:".length()).split("\\?", 2)[0];
            if (file.isEmpty() || file.contains(":memory:") || lower.contains("mode=memory")) {
                throw new IllegalArgumentException("names an in-memory SQLite database, which a connection pool cannot share "
                        + "(each connection would see its own empty database); use a file: jdbc:sqlite:/path/latchkey.db");
            }
            return new DatabaseUrl(Engine.SQLITE, trimmed, null, null, "sqlite at " + file);
        }
        int colon = trimmed.indexOf(':');
        String scheme = colon > 0 && colon < 30 ? trimmed.substring(0, colon) : null;
        throw new IllegalArgumentException((scheme == null ? "is not a URL" : "has unsupported scheme '" + scheme + "'")
                + "; " + EXPECTED);
    }

    private static DatabaseUrl parsePostgres(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            // Not e.getMessage(): it quotes the input, password included.
            throw new IllegalArgumentException("is not a valid URL (percent-encode special characters in the user "
                    + "and password, e.g. @ as %40); " + EXPECTED);
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("names no host (or an invalid one); " + EXPECTED);
        }
        String rawPath = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        if (database.isEmpty() || database.contains("/")) {
            throw new IllegalArgumentException("must name exactly one database after the host; " + EXPECTED);
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = percentDecode(parts[0], "user");
            password = parts.length > 1 ? percentDecode(parts[1], "password") : null;
            if (user.isEmpty()) {
                user = null;
            }
        }
        String location = uri.getHost() + ":" + (uri.getPort() == -1 ? 5432 : uri.getPort()) + "/" + database;
        // The query (sslmode=..., connectTimeout=...) is passed on: pgjdbc reads libpq's sslmode values.
        String jdbcUrl = "jdbc:postgresql://" + location + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new DatabaseUrl(Engine.POSTGRESQL, jdbcUrl, user, password, "postgresql at " + location);
    }

    /** RFC 3986 percent-decoding; unlike URLDecoder it leaves '+' alone, as userinfo requires. */
    private static String percentDecode(String raw, String part) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0 || Character.digit(raw.charAt(i + 2), 16) < 0) {
                    throw new IllegalArgumentException("has a malformed percent-escape in the " + part + "; " + EXPECTED);
                }
                bytes.write(Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16));
                i += 2;
            } else {
                String character = raw.substring(i, i + Character.charCount(raw.codePointAt(i)));
                byte[] utf8 = character.getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
                i += character.length() - 1;
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "DatabaseUrl[" + description + (user == null ? "" : ", user=" + user) + (password == null ? "" : ", password=***") + "]";
    }
}
