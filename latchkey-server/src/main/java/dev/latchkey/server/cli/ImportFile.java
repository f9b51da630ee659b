package dev.latchkey.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latchkey.core.accounts.AccountService;
import dev.latchkey.core.accounts.Roles;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Parses the file of {@code latchkey users import}: CSV with the header
 * {@code email,role,password_hash} (fields may be double-quoted; the hash is the last column, so
 * an argon2id hash with commas may stay unquoted), or JSON lines
 * {@code {"email": ..., "role": ..., "password_hash": ...}}. An empty or missing role means
 * {@code user}. Blank lines are skipped. Every line is validated; line numbers are the file's.
 */
final class ImportFile {
    static final String HEADER = "email,role,password_hash";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One account to import. */
    record Entry(int line, String email, String role, String passwordHash) {
        @Override
        public String toString() {
            return "Entry[line=" + line + ", email=" + email + ", role=" + role + "]";
        }
    }

    /** A line that cannot be imported, and why. */
    record Problem(int line, String message) {}

    record Parsed(List<Entry> entries, List<Problem> problems) {}

    private ImportFile() {
    }

    static Parsed parse(List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Boolean json = null;
        for (int i = 0; i < lines.size(); i++) {
            int number = i + 1;
            String line = i == 0 ? stripBom(lines.get(i)) : lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            if (json == null) {
                json = line.strip().startsWith("{");
                if (!json) {
                    String header = line.replace(" ", "").replace("\"", "").toLowerCase(Locale.ROOT);
                    if (!header.equals(HEADER)) {
                        problems.add(new Problem(number, "expected the CSV header " + HEADER + " or JSON lines"));
                        return new Parsed(entries, problems);
                    }
                    continue;
                }
            }
            try {
                String[] fields = json ? jsonFields(line) : csvFields(line);
                String role = fields[1] == null || fields[1].isBlank() ? Roles.USER : fields[1].strip();
                Entry entry = new Entry(number, fields[0], role, fields[2] == null ? null : fields[2].strip());
                Map<String, String> wrong = AccountService.importProblems(entry.email(), entry.role(), entry.passwordHash());
                if (wrong.isEmpty()) {
                    entries.add(entry);
                } else {
                    problems.add(new Problem(number, wrong.entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining("; "))));
                }
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(number, e.getMessage()));
            }
        }
        if (json == null) {
            problems.add(new Problem(1, "the file is empty"));
        }
        return new Parsed(entries, problems);
    }

    private static String[] jsonFields(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON object");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String[] fields = new String[3];
        String[] names = {"email", "role", "password_hash"};
        for (int f = 0; f < 3; f++) {
            JsonNode value = node.get(names[f]);
            if (value != null && !value.isNull() && !value.isTextual()) {
                throw new IllegalArgumentException(names[f] + " must be a string");
            }
            fields[f] = value == null || value.isNull() ? null : value.textValue();
        }
        return fields;
    }

    /** RFC 4180 fields of one line; more than three unquoted fields are the hash with its commas. */
    static String[] csvFields(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"' && field.toString().isBlank()) {
                quoted = true;
                wasQuoted = true;
                field.setLength(0);
            } else if (c == ',' && (fields.size() < 2 || wasQuoted)) {
                fields.add(field.toString());
                field.setLength(0);
                wasQuoted = false;
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quoted field");
        }
        fields.add(field.toString());
        if (fields.size() != 3) {
            throw new IllegalArgumentException("expected 3 fields (" + HEADER + "), found " + fields.size());
        }
        return fields.toArray(String[]::new);
    }

    private static String stripBom(String line) {
        return line.startsWith("\uFEFF") ? line.substring(1) : line;
    }
}
