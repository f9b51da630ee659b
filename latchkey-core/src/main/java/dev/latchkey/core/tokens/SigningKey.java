package dev.latchkey.core.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.security.Provider;
import java.text.ParseException;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One private signing key of the ring: its {@code kid}, the private JWK, the one JWS algorithm
 * it signs with and when it was created (the newest key of a ring signs).
 *
 * <p>Only asymmetric keys are accepted: RSA (at least 2048 bits) with RS256/RS384/RS512 or
 * PS256/PS384/PS512, and EC P-256/P-384/P-521 with ES256/ES384/ES512 respectively.
 *
 * <p>{@link #toString()} never prints key material.
 */
public record SigningKey(String kid, JWK privateJwk, JWSAlgorithm algorithm, Instant createdAt) {

    /** RSA modulus size for generated keys. */
    public static final int RSA_KEY_BITS = 2048;

    private static final Set<JWSAlgorithm> RSA_ALGORITHMS = Set.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);
    private static final Map<JWSAlgorithm, Curve> EC_ALGORITHMS = Map.of(
            JWSAlgorithm.ES256, Curve.P_256,
            JWSAlgorithm.ES384, Curve.P_384,
            JWSAlgorithm.ES512, Curve.P_521);

    public SigningKey {
        Objects.requireNonNull(privateJwk, "privateJwk");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(createdAt, "createdAt");
        if (kid == null || kid.isBlank()) {
            throw new IllegalArgumentException("A signing key needs a non-blank kid");
        }
        if (!privateJwk.isPrivate()) {
            throw new IllegalArgumentException("Signing key " + kid + " has no private part");
        }
        checkAlgorithmFitsKey(privateJwk, algorithm);
    }

    /** Generates a fresh RSA 2048 key for RS256 with the JDK's providers; its kid is the RFC 7638 thumbprint. */
    public static SigningKey generateRsa(Instant createdAt) {
        return generate(JWSAlgorithm.RS256, createdAt, null);
    }

    /**
     * Generates a fresh key for RS256 (RSA 2048) or ES256 (P-256); its kid is the RFC 7638
     * thumbprint.
     *
     * @param provider makes the key pair (the server passes its signature provider: AWS-LC makes
     *                 an RSA key in a third of the JDK's time, which a first start waits for);
     *                 null: the JDK's providers
     */
    public static SigningKey generate(JWSAlgorithm algorithm, Instant createdAt, Provider provider) {
        try {
            // Nimbus's generators take a null provider as the JDK's default
            if (JWSAlgorithm.RS256.equals(algorithm)) {
                return fromJwk(new RSAKeyGenerator(RSA_KEY_BITS).provider(provider).generate(), algorithm, createdAt);
            }
            if (JWSAlgorithm.ES256.equals(algorithm)) {
                return fromJwk(new ECKeyGenerator(Curve.P_256).provider(provider).generate(), algorithm, createdAt);
            }
        } catch (JOSEException e) {
            throw new IllegalStateException("Could not generate a " + algorithm + " signing key", e);
        }
        throw new IllegalArgumentException("unsupported algorithm " + algorithm + " (use RS256 or ES256)");
    }

    /**
     * Wraps an existing private JWK. The kid is the JWK's own {@code kid} when it has one, else
     * its RFC 7638 SHA-256 thumbprint (base64url). The stored JWK carries that kid, {@code use=sig}
     * and the algorithm.
     */
    public static SigningKey fromJwk(JWK privateJwk, JWSAlgorithm alg, Instant createdAt) {
        Objects.requireNonNull(privateJwk, "privateJwk");
        Objects.requireNonNull(alg, "alg");
        checkAlgorithmFitsKey(privateJwk, alg);
        String kid = privateJwk.getKeyID();
        if (kid == null || kid.isBlank()) {
            try {
                kid = privateJwk.computeThumbprint().toString();
            } catch (JOSEException e) {
                throw new IllegalArgumentException("Cannot compute the thumbprint of the key", e);
            }
        }
        return new SigningKey(kid, withMetadata(privateJwk, kid, alg), alg, createdAt);
    }

    /** The public half: public members only, with {@code kid}, {@code use=sig} and {@code alg}. */
    public JWK publicJwk() {
        JWK pub = privateJwk.toPublicJWK();
        return withMetadata(pub, kid, algorithm);
    }

    @Override
    public String toString() {
        return "SigningKey[kid=" + kid + ", algorithm=" + algorithm + ", createdAt=" + createdAt + "]";
    }

    private static JWK withMetadata(JWK jwk, String kid, JWSAlgorithm alg) {
        Map<String, Object> json = jwk.toJSONObject();
        json.put("kid", kid);
        json.put("use", KeyUse.SIGNATURE.identifier());
        json.put("alg", alg.getName());
        json.remove("key_ops");
        try {
            return JWK.parse(json);
        } catch (ParseException e) {
            throw new IllegalArgumentException("Key could not be re-read after adding its metadata", e);
        }
    }

    private static void checkAlgorithmFitsKey(JWK jwk, JWSAlgorithm alg) {
        if (jwk instanceof RSAKey rsa) {
            if (!RSA_ALGORITHMS.contains(alg)) {
                throw new IllegalArgumentException("An RSA key cannot sign with " + alg);
            }
            if (rsa.size() < RSA_KEY_BITS) {
                throw new IllegalArgumentException("RSA signing keys must have at least " + RSA_KEY_BITS
                        + " bits, this one has " + rsa.size());
            }
        } else if (jwk instanceof ECKey ec) {
            Curve expected = EC_ALGORITHMS.get(alg);
            if (expected == null || !expected.equals(ec.getCurve())) {
                throw new IllegalArgumentException("An EC key on curve " + ec.getCurve() + " cannot sign with " + alg);
            }
        } else {
            throw new IllegalArgumentException("Unsupported signing key type " + jwk.getKeyType()
                    + " (use an RSA or EC key)");
        }
    }
}
