package dev.latchkey.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latchkey.core.tokens.SigningKey;
import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import dev.latchkey.server.keys.SigningKeySource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Forged and tampered access tokens against a running server's protected route: each must be
 * refused with {@code 401 TOKEN_INVALID}. Tokens with a bad claim are signed with the server's
 * real key, so only the claim can be why they are refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessTokenAttackTest {
    TestServer server;
    Client client;
    Browser victim;
    RSAKey serverKey;
    JWTClaimsSet genuine;

    @BeforeAll
    void start() throws Exception {
        server = TestServer.start(TestServer.Engine.SQLITE, new MutableClock(), Map.of());
        client = new Client(server.baseUrl());
        victim = new Browser(client);
        assertThat(victim.register("victim-" + System.nanoTime() + "@example.com", "correct horse battery staple").status())
                .isEqualTo(201);
        SigningKey key = SigningKeySource.loadOrGenerateDevKey(server.dataDirectory(), Clock.systemUTC());
        serverKey = key.privateJwk().toRSAKey();
        genuine = SignedJWT.parse(victim.accessToken).getJWTClaimsSet();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void theGenuineTokenAndOneReSignedWithTheServerKeyAreAccepted() throws Exception {
        assertThat(victim.get("/api/me").status()).isEqualTo(200);
        assertThat(me(signed(header -> { }, claims -> { }))).isEqualTo(200);
    }

    @Test
    void algNoneInSeveralSpellingsIsRefused() {
        String payload = Base64URL.encode(genuine.toString()).toString();
        for (String alg : new String[] {"none", "None", "NONE", "nOnE"}) {
            String header = Base64URL.encode("{\"alg\":\"" + alg + "\",\"typ\":\"at+jwt\",\"kid\":\"" + serverKey.getKeyID() + "\"}")
                    .toString();
            assertInvalid(header + "." + payload + ".");
            assertInvalid(header + "." + payload);
            assertInvalid(header + "." + payload + "." + victim.accessToken.split("\\.")[2]);
        }
    }

    @Test
    void hs256SignedWithThePublicKeyIsRefused() throws Exception {
        String jwks = client.get("/.well-known/jwks.json").body();
        RSAKey published = JWKSet.parse(jwks).getKeys().get(0).toRSAKey();
        byte[] der = published.toRSAPublicKey().getEncoded();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
        for (byte[] secret : new byte[][] {der, pem.getBytes(StandardCharsets.US_ASCII), jwks.getBytes(StandardCharsets.UTF_8)}) {
            byte[] padded = secret.length >= 32 ? secret : java.util.Arrays.copyOf(secret, 32);
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("at+jwt"))
                    .keyID(published.getKeyID()).build(), genuine);
            jwt.sign(new MACSigner(padded));
            assertInvalid(jwt.serialize());
        }
    }

    @Test
    void aTamperedPayloadIsRefused() {
        String[] parts = victim.accessToken.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"role\":\"user\"", "\"role\":\"admin\"");
        assertThat(claims).contains("\"role\":\"admin\"");
        assertInvalid(parts[0] + "." + Base64URL.encode(claims) + "." + parts[2]);
    }

    @Test
    void aForeignKeyWithTheServersKidIsRefused() throws Exception {
        SigningKey foreign = SigningKey.generateRsa(Instant.now());
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(new JOSEObjectType("at+jwt"))
                .keyID(serverKey.getKeyID()).build(), genuine);
        jwt.sign(new RSASSASigner(foreign.privateJwk().toRSAKey()));
        assertInvalid(jwt.serialize());
    }

    @Test
    void wrongIssuerAudienceTypeOrKidAreRefusedEvenWhenSignedByTheServerKey() throws Exception {
        assertInvalid(signed(h -> { }, c -> c.issuer("https://evil.example")));
        assertInvalid(signed(h -> { }, c -> c.audience("another-api")));
        assertInvalid(signed(h -> h.type(JOSEObjectType.JWT), c -> { }));
        assertInvalid(signed(h -> h.type(null), c -> { }));
        assertInvalid(signed(h -> h.keyID("unknown-kid"), c -> { }));
        assertInvalid(signed(h -> h.keyID(null), c -> { }));
        assertInvalid(signed(h -> { }, c -> c.claim("sid", null)));
    }

    @Test
    void anExpiredTokenSignedByTheServerKeyIsExpiredButAForgedOneIsInvalid() throws Exception {
        Date past = Date.from(Instant.now().minusSeconds(3600));
        Reply expired = client.get("/api/me", "Authorization", "Bearer " + signed(h -> { }, c -> c.expirationTime(past)
                .issueTime(Date.from(Instant.now().minusSeconds(4000)))));
        assertThat(expired.code()).isEqualTo("TOKEN_EXPIRED");

        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(new JOSEObjectType("at+jwt"))
                .keyID(serverKey.getKeyID()).build(), new JWTClaimsSet.Builder(genuine).expirationTime(past).build());
        forged.sign(new RSASSASigner(SigningKey.generateRsa(Instant.now()).privateJwk().toRSAKey()));
        assertInvalid(forged.serialize());
    }

    private String signed(Consumer<JWSHeader.Builder> header, Consumer<JWTClaimsSet.Builder> claims) throws Exception {
        JWSHeader.Builder h = new JWSHeader.Builder(JWSAlgorithm.RS256).type(new JOSEObjectType("at+jwt")).keyID(serverKey.getKeyID());
        header.accept(h);
        JWTClaimsSet.Builder c = new JWTClaimsSet.Builder(genuine);
        claims.accept(c);
        SignedJWT jwt = new SignedJWT(h.build(), c.build());
        jwt.sign(new RSASSASigner(serverKey));
        return jwt.serialize();
    }

    private int me(String token) {
        return client.get("/api/me", "Authorization", "Bearer " + token).status();
    }

    private void assertInvalid(String token) {
        Reply reply = client.get("/api/me", "Authorization", "Bearer " + token);
        assertThat(reply.status()).as(token).isEqualTo(401);
        assertThat(reply.code()).as(token).isEqualTo("TOKEN_INVALID");
    }
}
