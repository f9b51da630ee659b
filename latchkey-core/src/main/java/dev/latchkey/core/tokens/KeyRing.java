package dev.latchkey.core.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable set of signing keys. One key signs: the one named when the ring is built, or else
 * the one with the newest {@code createdAt} (on a tie, the one listed last); every key of the ring verifies and is published in the JWKS, so tokens
 * signed before a rotation keep verifying while their key is still in the ring.
 *
 * <p>The ring converts each key once into its Nimbus signer, verifier and public key, so neither
 * issuing nor verifying rebuilds them per token. Given a JCA {@link Provider}, the keys are
 * converted into that provider's own key objects and every signature is made and checked by it:
 * a native provider then never re-imports the key per token, which would cost more than the
 * signature itself.
 */
public final class KeyRing {

    /** Per-key material derived once when the ring is built. */
    record Entry(SigningKey key, JWSSigner signer, PublicKey publicKey, JWSVerifier verifier) {}

    private final Map<String, Entry> byKid;
    private final Entry current;
    private final JWKSet publicJwkSet;
    private final Set<JWSAlgorithm> algorithms;

    private KeyRing(Map<String, Entry> byKid, Entry current, JWKSet publicJwkSet, Set<JWSAlgorithm> algorithms) {
        this.byKid = byKid;
        this.current = current;
        this.publicJwkSet = publicJwkSet;
        this.algorithms = algorithms;
    }

    /** Builds a ring from at least one key; kids must be unique. */
    public static KeyRing of(List<SigningKey> keys) {
        return of(keys, null);
    }

    /**
     * Builds a ring whose signing key is the one named {@code signingKid} (which must be among
     * {@code keys}); the others only verify and are published. A key may be published before it
     * signs (pre-publication), so the newest key is not always the signing one. With a null
     * {@code signingKid} the newest key signs, as in {@link #of(List)}.
     */
    public static KeyRing of(List<SigningKey> keys, String signingKid) {
        return of(keys, signingKid, null);
    }

    /**
     * The same, with every signature made and checked by {@code provider} (null: the JDK's
     * default providers).
     */
    public static KeyRing of(List<SigningKey> keys, String signingKid, Provider provider) {
        if (keys == null || keys.isEmpty()) {
            throw new IllegalArgumentException("A key ring needs at least one signing key");
        }
        Map<String, Entry> byKid = new LinkedHashMap<>();
        Entry current = null;
        List<JWK> publicJwks = new ArrayList<>(keys.size());
        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
        for (SigningKey key : keys) {
            if (key == null) {
                throw new IllegalArgumentException("A key ring cannot hold a null key");
            }
            Entry entry = entryFor(key, provider);
            if (byKid.putIfAbsent(key.kid(), entry) != null) {
                throw new IllegalArgumentException("Two signing keys share the kid " + key.kid());
            }
            if (signingKid != null ? signingKid.equals(key.kid())
                    : current == null || !key.createdAt().isBefore(current.key().createdAt())) {
                current = entry;
            }
            publicJwks.add(key.publicJwk());
            algorithms.add(key.algorithm());
        }
        if (current == null) {
            throw new IllegalArgumentException("The signing key " + signingKid + " is not among the ring's keys");
        }
        return new KeyRing(Collections.unmodifiableMap(byKid), current, new JWKSet(publicJwks),
                Collections.unmodifiableSet(algorithms));
    }

    /** The key that signs new tokens. */
    public SigningKey current() {
        return current.key();
    }

    public Optional<SigningKey> find(String kid) {
        Entry entry = kid == null ? null : byKid.get(kid);
        return entry == null ? Optional.empty() : Optional.of(entry.key());
    }

    /** Every key of the ring, public members only. */
    public JWKSet publicJwkSet() {
        return publicJwkSet;
    }

    /** {@code {"keys":[...]}} with public members only, ready to serialise as the JWKS document. */
    public Map<String, Object> publicJwksJson() {
        return publicJwkSet.toJSONObject(true);
    }

    /** The algorithms of the ring's keys: exactly what the verifier accepts. */
    public Set<JWSAlgorithm> algorithms() {
        return algorithms;
    }

    /** All keys, in the order given. */
    public List<SigningKey> keys() {
        return byKid.values().stream().map(Entry::key).toList();
    }

    Entry currentEntry() {
        return current;
    }

    Entry entry(String kid) {
        return kid == null ? null : byKid.get(kid);
    }

    @Override
    public String toString() {
        return "KeyRing[current=" + current.key().kid() + ", kids=" + byKid.keySet() + "]";
    }

    private static Entry entryFor(SigningKey key, Provider provider) {
        try {
            JWK jwk = key.privateJwk();
            if (jwk instanceof RSAKey rsa) {
                PrivateKey privateKey = inProvider(rsa.toPrivateKey(), "RSA", provider);
                PublicKey publicKey = inProvider(rsa.toPublicKey(), "RSA", provider);
                RSASSASigner signer = new RSASSASigner(privateKey);
                // Nimbus takes the RSA public key type; a provider's own key implements it too
                RSASSAVerifier verifier = new RSASSAVerifier((java.security.interfaces.RSAPublicKey) publicKey);
                signer.getJCAContext().setProvider(provider);
                verifier.getJCAContext().setProvider(provider);
                return new Entry(key, signer, publicKey, verifier);
            }
            if (jwk instanceof ECKey ec) {
                PrivateKey privateKey = inProvider(ec.toPrivateKey(), "EC", provider);
                PublicKey publicKey = inProvider(ec.toPublicKey(), "EC", provider);
                ECDSASigner signer = new ECDSASigner(privateKey, ec.getCurve());
                ECDSAVerifier verifier = new ECDSAVerifier((java.security.interfaces.ECPublicKey) publicKey);
                signer.getJCAContext().setProvider(provider);
                verifier.getJCAContext().setProvider(provider);
                return new Entry(key, signer, publicKey, verifier);
            }
        } catch (JOSEException | GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("Signing key " + key.kid() + " cannot be used: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("Unsupported signing key type for " + key.kid());
    }

    /** The key as {@code provider}'s own key object (the key itself without a provider). */
    private static <K extends java.security.Key> K inProvider(K key, String algorithm, Provider provider)
            throws GeneralSecurityException {
        if (provider == null) {
            return key;
        }
        KeyFactory factory = KeyFactory.getInstance(algorithm, provider);
        @SuppressWarnings("unchecked")
        K converted = (K) (key instanceof PrivateKey
                ? factory.generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()))
                : factory.generatePublic(new X509EncodedKeySpec(key.getEncoded())));
        return converted;
    }
}
