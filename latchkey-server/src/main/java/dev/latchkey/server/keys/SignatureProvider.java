package dev.latchkey.server.keys;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import dev.latchkey.server.config.ConfigException;
import java.security.Provider;
import java.util.Locale;
import java.util.Optional;

/**
 * Which JCA provider makes and checks access-token signatures ({@code LATCHKEY_CRYPTO_PROVIDER}).
 *
 * <p>RS256 signing is the costliest step of every login and refresh. The JDK's RSA runs on
 * {@code BigInteger} at about 950 signatures a second per core; AWS-LC, through the Amazon
 * Corretto Crypto Provider, signs about four times as fast with the same keys and the same
 * output (PKCS#1 v1.5 signatures are deterministic). Its native library ships for Linux; where it
 * does not load, {@code auto} keeps the JDK's providers, so nothing but speed depends on it. The
 * provider is used only for token signatures, never installed JVM-wide.
 */
public enum SignatureProvider {
    /** The native provider when its library loads here, else the JDK's. */
    AUTO,
    /** The native provider, or refuse to start. */
    NATIVE,
    /** The JDK's own providers. */
    JDK;

    public static final String VARIABLE = "LATCHKEY_CRYPTO_PROVIDER";

    /** The provider chosen, null for the JDK's defaults, and a phrase for the start-up log line. */
    public record Selected(Provider provider, String description) {}

    public static Optional<SignatureProvider> parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> Optional.of(AUTO);
            case "native" -> Optional.of(NATIVE);
            case "jdk" -> Optional.of(JDK);
            default -> Optional.empty();
        };
    }

    /** Resolves the choice; {@link #NATIVE} without a loadable native library is a {@link ConfigException}. */
    public Selected select() {
        if (this == JDK) {
            return new Selected(null, "JDK");
        }
        String problem;
        try {
            AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
            Throwable error = accp.getLoadingError();
            if (error == null) {
                // Each algorithm's self-test runs when it is first used (a failing one refuses to
                // serve); running all of them here would add about 100 ms to every start.
                return new Selected(accp, accp.getAwsLcVersionStr() + " (Amazon Corretto Crypto Provider "
                        + accp.getVersionStr() + ")");
            }
            problem = String.valueOf(error.getMessage());
        } catch (RuntimeException | LinkageError e) {
            problem = e.toString();
        }
        if (this == NATIVE) {
            throw new ConfigException(VARIABLE, "'native' but the native crypto provider cannot be loaded here ("
                    + problem + "); use auto or jdk");
        }
        return new Selected(null, "JDK (the native provider does not load here: " + problem + ")");
    }
}
