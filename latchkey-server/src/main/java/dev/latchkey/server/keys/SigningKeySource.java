package dev.latchkey.server.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import dev.latchkey.core.tokens.SigningKey;
import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPublicKeySpec;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Set;

/**
 * Where signing keys come from: PEM text or a PEM file in production, a key generated once and
 * kept in the data directory in development. The only part of key handling that touches files.
 */
public final class SigningKeySource {

    /** File name of the development key inside the data directory. */
    public static final String DEV_KEY_FILE = "signing-key.pem";

    private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final String SUPPORTED = "expected an unencrypted PKCS#8 or PKCS#1 RSA private key (2048 bits or more)"
            + " or an EC P-256 private key";

    private SigningKeySource() {
    }

    /**
     * Loads a private key from PEM text: PKCS#8 ({@code BEGIN PRIVATE KEY}) or PKCS#1
     * ({@code BEGIN RSA PRIVATE KEY}) RSA, signing RS256; or EC ({@code BEGIN EC PRIVATE KEY} or
     * PKCS#8) on P-256, signing ES256 (P-384 and P-521 sign ES384 and ES512).
     *
     * @throws IllegalArgumentException with a one-line message (never echoing the PEM) if unreadable
     */
    public static SigningKey fromPem(String pem, Instant createdAt) {
        Objects.requireNonNull(createdAt, "createdAt");
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException("Signing key PEM is empty; " + SUPPORTED);
        }
        if (pem.contains("ENCRYPTED")) {
            throw new IllegalArgumentException("Signing key PEM is encrypted, which is not supported; " + SUPPORTED);
        }
        JWK jwk;
        try {
            jwk = JWK.parseFromPEMEncodedObjects(pem);
        } catch (JOSEException | RuntimeException e) {
            jwk = ecKeyWithoutPublicPoint(pem);
            if (jwk == null) {
                throw new IllegalArgumentException("Signing key PEM is not readable; " + SUPPORTED, e);
            }
        }
        if (!jwk.isPrivate()) {
            throw new IllegalArgumentException("Signing key PEM holds no private key; " + SUPPORTED);
        }
        try {
            return SigningKey.fromJwk(jwk, algorithmFor(jwk), createdAt);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Signing key PEM is not usable: " + oneLine(e.getMessage()), e);
        }
    }

    /**
     * Loads a private key from a PEM file.
     *
     * @throws IllegalArgumentException with a one-line message naming the file when it is
     *                                  missing, unreadable or not a supported key
     */
    public static SigningKey fromPemFile(Path file, Instant createdAt) {
        Objects.requireNonNull(file, "file");
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("Signing key file " + file + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("Signing key file " + file + " cannot be read: permission denied", e);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("Signing key file " + file + " cannot be read: "
                    + oneLine(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage())), e);
        }
        try {
            return fromPem(pem, createdAt);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Signing key file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The development default: loads {@code <dataDir>/signing-key.pem} when present; otherwise
     * generates an RSA 2048 key and stores it there as PKCS#8 PEM, readable by the owner only
     * (the file is created with mode 0600, never widened then narrowed) and atomically (written
     * to a temporary file in the same directory, flushed, then linked into place). When two
     * processes race to create it, the first one wins and the other loads its key.
     *
     * <p>A loaded key's {@code createdAt} is the file's last-modified time.
     */
    public static SigningKey loadOrGenerateDevKey(Path dataDir, Clock clock) {
        return loadOrGenerateDevKey(dataDir, clock, null);
    }

    /** As above, generating with {@code provider} (null: the JDK's providers). */
    public static SigningKey loadOrGenerateDevKey(Path dataDir, Clock clock, Provider provider) {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(clock, "clock");
        Path file = dataDir.resolve(DEV_KEY_FILE);
        if (Files.exists(file)) {
            return fromPemFile(file, lastModified(file, clock));
        }
        SigningKey generated = SigningKey.generate(JWSAlgorithm.RS256, clock.instant(), provider);
        try {
            boolean won = writeNew(dataDir, file, toPkcs8Pem((RSAKey) generated.privateJwk()));
            return won ? generated : fromPemFile(file, lastModified(file, clock));
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot write the development signing key to " + file + ": "
                    + oneLine(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage())), e);
        }
    }

    /** PKCS#8 PEM ({@code BEGIN PRIVATE KEY}) of an RSA or EC private key. */
    public static String toPkcs8Pem(JWK key) {
        try {
            if (!(key instanceof com.nimbusds.jose.jwk.AsymmetricJWK asymmetric)) {
                throw new IllegalArgumentException("Not an asymmetric key: " + key.getKeyType());
            }
            byte[] der = asymmetric.toPrivateKey().getEncoded();
            String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
            return "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
        } catch (JOSEException e) {
            throw new IllegalStateException("Cannot encode the signing key", e);
        }
    }

    /** Writes {@code content} to {@code file} unless it exists; true when this call created it. */
    private static boolean writeNew(Path dir, Path file, String content) throws IOException {
        createDirectories(dir);
        Path tmp = createTempFile(dir);
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            try {
                // A hard link never replaces an existing file: the first writer wins.
                Files.createLink(file, tmp);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (UnsupportedOperationException | IOException linkFailed) {
                if (Files.exists(file)) {
                    return false;
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                return true;
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Nimbus's PEM parser needs the public point next to an EC private key, which PKCS#8 EC keys
     * ({@code openssl genpkey}, Java's {@code getEncoded()}) and SEC1 keys written without the
     * optional public key do not carry. For those, BouncyCastle reads the private key and
     * computes the public point; null when the PEM holds no EC private key.
     */
    private static JWK ecKeyWithoutPublicPoint(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object;
            while ((object = parser.readObject()) != null) {
                PrivateKeyInfo info = object instanceof PEMKeyPair pair ? pair.getPrivateKeyInfo()
                        : object instanceof PrivateKeyInfo plain ? plain : null;
                if (info == null) {
                    continue;
                }
                PrivateKey privateKey = new JcaPEMKeyConverter().getPrivateKey(info);
                if (!(privateKey instanceof ECPrivateKey ec)) {
                    return null;
                }
                Curve curve = Curve.forECParameterSpec(ec.getParams());
                if (curve == null) {
                    return null;
                }
                ECNamedCurveParameterSpec named = ECNamedCurveTable.getParameterSpec(curve.getStdName());
                ECPoint q = new FixedPointCombMultiplier().multiply(named.getG(), ec.getS()).normalize();
                ECPublicKeySpec spec = new ECPublicKeySpec(new java.security.spec.ECPoint(
                        q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), ec.getParams());
                ECPublicKey publicKey = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(spec);
                return new ECKey.Builder(curve, publicKey).privateKey(ec).build();
            }
            return null;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return null;
        }
    }

    private static Path createTempFile(Path dir) throws IOException {
        try {
            FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE);
            return Files.createTempFile(dir, ".signing-key-", ".tmp", mode);
        } catch (UnsupportedOperationException notPosix) {
            // Non-POSIX file systems (Windows): the JDK creates temp files readable by the owner only.
            return Files.createTempFile(dir, ".signing-key-", ".tmp");
        }
    }

    private static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
        } catch (UnsupportedOperationException notPosix) {
            Files.createDirectories(dir);
        }
    }

    private static Instant lastModified(Path file, Clock clock) {
        try {
            return Files.getLastModifiedTime(file).toInstant();
        } catch (IOException e) {
            return clock.instant();
        }
    }

    private static JWSAlgorithm algorithmFor(JWK jwk) {
        if (jwk instanceof RSAKey) {
            return JWSAlgorithm.RS256;
        }
        if (jwk instanceof ECKey ec) {
            Curve curve = ec.getCurve();
            if (Curve.P_256.equals(curve)) {
                return JWSAlgorithm.ES256;
            }
            if (Curve.P_384.equals(curve)) {
                return JWSAlgorithm.ES384;
            }
            if (Curve.P_521.equals(curve)) {
                return JWSAlgorithm.ES512;
            }
            throw new IllegalArgumentException("EC curve " + curve + " is not supported; " + SUPPORTED);
        }
        throw new IllegalArgumentException("Key type " + jwk.getKeyType() + " is not supported; " + SUPPORTED);
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("[\\r\\n]+", " ").strip();
    }

    /**
     * The operator-managed key of the configuration, or null when none is configured. A key that
     * cannot be used stops the start with one line naming the variable it came from.
     */
    public static SigningKey configured(dev.latchkey.server.config.LatchkeyConfig.SigningKeySettings settings, Instant now) {
        if (settings.pemFile() != null) {
            try {
                return fromPemFile(settings.pemFile(), now);
            } catch (IllegalArgumentException e) {
                throw new dev.latchkey.server.config.ConfigException("LATCHKEY_SIGNING_KEY_FILE", e.getMessage());
            }
        }
        if (settings.pem() != null) {
            try {
                return fromPem(settings.pem(), now);
            } catch (IllegalArgumentException e) {
                throw new dev.latchkey.server.config.ConfigException("LATCHKEY_SIGNING_KEY", e.getMessage());
            }
        }
        return null;
    }
}
