package dev.latchkey.core.passwords;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Passwords too common to allow, compared case-insensitively (attackers try case variants
 * of list entries first, so "PassWordPassWord" is no better than "passwordpassword").
 *
 * <p>The bundled list is {@code common-passwords.txt} next to this class, derived from
 * {@code @zxcvbn-ts/language-common} (see {@code common-passwords.NOTICE}); it is read once,
 * on first use, and shared, being immutable.
 */
public final class CommonPasswords {

    static final String RESOURCE = "common-passwords.txt";

    private final Set<String> lowercased;

    /** A list of one's own, e.g. for tests; entries are lowercased. */
    public CommonPasswords(Collection<String> passwords) {
        Set<String> set = new HashSet<>();
        for (String password : passwords) {
            set.add(password.toLowerCase(Locale.ROOT));
        }
        this.lowercased = Set.copyOf(set);
    }

    /** The list shipped with Latchkey. */
    public static CommonPasswords bundled() {
        return Bundled.INSTANCE;
    }

    public boolean contains(String password) {
        return lowercased.contains(password.toLowerCase(Locale.ROOT));
    }

    public int size() {
        return lowercased.size();
    }

    /** Holder idiom: loaded by the JVM, thread-safely, the first time {@link #bundled()} runs. */
    private static final class Bundled {
        static final CommonPasswords INSTANCE = new CommonPasswords(load());

        private static Set<String> load() {
            try (InputStream in = CommonPasswords.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + RESOURCE + " next to " + CommonPasswords.class.getName());
                }
                Set<String> entries = new HashSet<>(32_768);
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        if (!line.isEmpty()) {
                            entries.add(line);
                        }
                    }
                }
                return entries;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + RESOURCE, e);
            }
        }
    }
}
