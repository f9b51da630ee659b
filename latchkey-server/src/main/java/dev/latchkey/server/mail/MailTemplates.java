package dev.latchkey.server.mail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The texts of the mails: bundled defaults ({@code mail/verify-email.txt} and {@code .html},
 * {@code mail/password-reset.txt} and {@code .html} on the classpath), each replaceable by a file
 * of the same name in the operator's templates directory. The first line of a {@code .txt}
 * template is {@code Subject: ...}, then a blank line, then the body. Placeholders
 * {@code {{link}}}, {@code {{email}}} and {@code {{expiresInMinutes}}} are replaced, HTML-escaped in
 * the {@code .html} variant. Read once at start.
 */
public final class MailTemplates {
    public static final String VERIFY_EMAIL = "verify-email";
    public static final String PASSWORD_RESET = "password-reset";
    private static final List<String> NAMES = List.of(VERIFY_EMAIL, PASSWORD_RESET);

    private final Map<String, String> files;

    private MailTemplates(Map<String, String> files) {
        this.files = files;
    }

    /** The bundled templates, each overridden by a file of the same name in {@code dir} (null: none). */
    public static MailTemplates load(Path dir) {
        Map<String, String> files = new HashMap<>();
        for (String name : NAMES) {
            for (String file : List.of(name + ".txt", name + ".html")) {
                files.put(file, read(dir, file));
            }
        }
        for (String name : NAMES) {
            if (!files.get(name + ".txt").startsWith("Subject:")) {
                throw new IllegalStateException("mail template " + name + ".txt must start with a line 'Subject: ...'");
            }
        }
        return new MailTemplates(Map.copyOf(files));
    }

    /** The message of template {@code name} for {@code to}, with these placeholder values. */
    public MailMessage render(String name, String to, Map<String, String> values) {
        String text = files.get(name + ".txt");
        int end = text.indexOf('\n');
        String subject = (end < 0 ? text : text.substring(0, end)).substring("Subject:".length()).strip();
        String body = end < 0 ? "" : text.substring(end + 1).replaceFirst("^\\r?\\n", "");
        return new MailMessage(to, fill(subject, values, false), fill(body, values, false),
                fill(files.get(name + ".html"), values, true));
    }

    private static String fill(String template, Map<String, String> values, boolean html) {
        String result = template;
        for (Map.Entry<String, String> value : values.entrySet()) {
            result = result.replace("{{" + value.getKey() + "}}", html ? escape(value.getValue()) : value.getValue());
        }
        return result;
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String read(Path dir, String file) {
        try {
            if (dir != null && Files.isRegularFile(dir.resolve(file))) {
                return Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
            }
            try (InputStream in = MailTemplates.class.getResourceAsStream("/mail/" + file)) {
                if (in == null) {
                    throw new IllegalStateException("bundled mail template " + file + " is missing");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read mail template " + file, e);
        }
    }
}
