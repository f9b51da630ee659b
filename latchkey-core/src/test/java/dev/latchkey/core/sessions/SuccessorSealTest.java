package dev.latchkey.core.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SuccessorSealTest {

    private static final String PREDECESSOR = "rt_predecessor_9f2c1d7e4b8a6035";
    private static final String SUCCESSOR = "rt_successor_1a2b3c4d5e6f7081";
    private static final String SESSION = "sess-42";

    private final SuccessorSeal seal = new SuccessorSeal(new SecureRandom());

    @Test
    void roundTrip() {
        byte[] sealed = seal.seal(PREDECESSOR, SUCCESSOR, SESSION);

        assertThat(seal.open(PREDECESSOR, sealed, SESSION)).contains(SUCCESSOR);
    }

    @Test
    void roundTripOfNonAsciiAndEmptyValues() {
        assertThat(seal.open(PREDECESSOR, seal.seal(PREDECESSOR, "jeton-é-✓", SESSION), SESSION)).contains("jeton-é-✓");
        assertThat(seal.open("", seal.seal("", "", ""), "")).contains("");
    }

    @Test
    void layoutIsVersionNonceCiphertextTag() {
        byte[] sealed = seal.seal(PREDECESSOR, SUCCESSOR, SESSION);

        assertThat(sealed[0]).isEqualTo((byte) 1);
        assertThat(sealed).hasSize(1 + 12 + SUCCESSOR.getBytes(StandardCharsets.UTF_8).length + 16);
    }

    @Test
    void followsTheDocumentedConstruction() throws Exception {
        // Independent of BouncyCastle: RFC 5869 HKDF-SHA256 with JCA HMAC, then AES-256-GCM.
        byte[] sealed = seal.seal(PREDECESSOR, SUCCESSOR, SESSION);
        byte[] key = hkdfSha256(PREDECESSOR.getBytes(StandardCharsets.UTF_8),
                "latchkey refresh successor v1".getBytes(StandardCharsets.UTF_8), 32);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
                new GCMParameterSpec(128, Arrays.copyOfRange(sealed, 1, 13)));
        cipher.updateAAD(SESSION.getBytes(StandardCharsets.UTF_8));

        byte[] plain = cipher.doFinal(sealed, 13, sealed.length - 13);

        assertThat(new String(plain, StandardCharsets.UTF_8)).isEqualTo(SUCCESSOR);
    }

    @Test
    void freshNonceEachTime() {
        byte[] a = seal.seal(PREDECESSOR, SUCCESSOR, SESSION);
        byte[] b = seal.seal(PREDECESSOR, SUCCESSOR, SESSION);

        assertThat(Arrays.copyOfRange(a, 1, 13)).isNotEqualTo(Arrays.copyOfRange(b, 1, 13));
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void wrongPredecessorOpensNothing() {
        byte[] sealed = seal.seal(PREDECESSOR, SUCCESSOR, SESSION);

        assertThat(seal.open("rt_some_other_token", sealed, SESSION)).isEmpty();
        assertThat(seal.open(SUCCESSOR, sealed, SESSION)).isEmpty();
        assertThat(seal.open(PREDECESSOR + "x", sealed, SESSION)).isEmpty();
    }

    @Test
    void wrongSessionIdOpensNothing() {
        byte[] sealed = seal.seal(PREDECESSOR, SUCCESSOR, SESSION);

        assertThat(seal.open(PREDECESSOR, sealed, "sess-43")).isEmpty();
        assertThat(seal.open(PREDECESSOR, sealed, "")).isEmpty();
    }

    @Test
    void anyFlippedBitInAnyRegionOpensNothing() {
        byte[] sealed = seal.seal(PREDECESSOR, SUCCESSOR, SESSION);

        // Region by region: version (0), nonce (1..12), ciphertext, tag (last 16).
        for (int i = 0; i < sealed.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] tampered = sealed.clone();
                tampered[i] ^= (byte) (1 << bit);
                assertThat(seal.open(PREDECESSOR, tampered, SESSION))
                        .as("byte %d bit %d", i, bit)
                        .isEmpty();
            }
        }
    }

    @Test
    void unknownVersionOpensNothing() {
        byte[] sealed = seal.seal(PREDECESSOR, SUCCESSOR, SESSION);
        sealed[0] = 2;

        assertThat(seal.open(PREDECESSOR, sealed, SESSION)).isEmpty();
    }

    @Test
    void truncatedOrExtendedOpensNothing() {
        byte[] sealed = seal.seal(PREDECESSOR, SUCCESSOR, SESSION);

        for (int length = 0; length < sealed.length; length++) {
            assertThat(seal.open(PREDECESSOR, Arrays.copyOf(sealed, length), SESSION))
                    .as("length %d", length)
                    .isEmpty();
        }
        assertThat(seal.open(PREDECESSOR, Arrays.copyOf(sealed, sealed.length + 1), SESSION)).isEmpty();
    }

    @Test
    void emptyAndNullOpenNothingAndNeverThrow() {
        byte[] sealed = seal.seal(PREDECESSOR, SUCCESSOR, SESSION);

        assertThat(seal.open(PREDECESSOR, new byte[0], SESSION)).isEmpty();
        assertThat(seal.open(PREDECESSOR, null, SESSION)).isEmpty();
        assertThat(seal.open(null, sealed, SESSION)).isEmpty();
        assertThat(seal.open(PREDECESSOR, sealed, null)).isEmpty();
        assertThat(seal.open(PREDECESSOR, new byte[] {1}, SESSION)).isEmpty();
        assertThat(seal.open(PREDECESSOR, new byte[29], SESSION)).isEmpty();
    }

    @Test
    void sealingRefusesNulls() {
        assertThatThrownBy(() -> seal.seal(null, SUCCESSOR, SESSION)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> seal.seal(PREDECESSOR, null, SESSION)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> seal.seal(PREDECESSOR, SUCCESSOR, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new SuccessorSeal(null)).isInstanceOf(NullPointerException.class);
    }

    /** RFC 5869 with an all-zero salt (what "no salt" means), for a single output block. */
    private static byte[] hkdfSha256(byte[] ikm, byte[] info, int length) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
        byte[] prk = mac.doFinal(ikm);
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        mac.update(info);
        mac.update((byte) 1);
        return Arrays.copyOf(mac.doFinal(), length);
    }
}
