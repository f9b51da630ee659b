package dev.latchkey.examples.resourceserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latchkey.testkit.LatchkeyProcess;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example against a real Latchkey, started before the Spring context on a free port, the
 * application pointed at it by its issuer URI alone. Latchkey signs with a key this test made,
 * so the test can also sign what Latchkey never would (an expired token, a {@code typ: JWT}
 * one) with the very key Latchkey publishes. Latchkey runs as the packaged jar in a child
 * process, which keeps its dependencies and Spring Boot's apart, as they are in production.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ResourceServerTest {
    private static final String PASSWORD = "a long enough example passphrase 7";
    private static final String ADMIN = "admin@example.com";
    private static final KeyPair LATCHKEY_KEY = rsaKeyPair();
    private static final LatchkeyProcess LATCHKEY = LatchkeyProcess.start(
            LatchkeyProcess.Program.jar(serverJar()), List.of("-Xmx256m"), Map.of(
            "LATCHKEY_SIGNING_KEY", pem(LATCHKEY_KEY),
            "LATCHKEY_BOOTSTRAP_ADMIN_EMAIL", ADMIN,
            "LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD", PASSWORD));

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void latchkey(DynamicPropertyRegistry properties) {
        properties.add("spring.security.oauth2.resourceserver.jwt.issuer-uri", LATCHKEY::baseUrl);
    }

    /** The jar Maven put on the test class path for the latchkey-server dependency, with lib/ beside it. */
    private static Path serverJar() {
        try {
            Class<?> main = Class.forName("dev.latchkey.server.Main");
            Path location = Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(location) || !Files.isDirectory(location.resolveSibling("lib"))) {
                throw new IllegalStateException("Latchkey is not packaged (found " + location + "): run the tests with "
                        + "'./mvnw verify -pl examples/spring-resource-server -am' from the repository root");
            }
            return location;
        } catch (ClassNotFoundException | URISyntaxException e) {
            throw new IllegalStateException("latchkey-server is not on the test class path", e);
        }
    }

    @AfterAll
    static void stopLatchkey() {
        LATCHKEY.close();
    }

    @Test
    void aUserTokenFromLatchkeyIsAcceptedOnHelloAndForbiddenOnAdmin() throws Exception {
        String token = accessToken("/auth/register", "user-" + UUID.randomUUID() + "@example.com", 201);

        HttpResponse<String> hello = get("/hello", token);
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.body()).contains("\"role\":\"user\"").contains("Hello, " + subject(token));

        HttpResponse<String> admin = get("/admin", token);
        assertThat(admin.statusCode()).isEqualTo(403);
    }

    @Test
    void anAdminTokenOpensAdmin() throws Exception {
        String token = accessToken("/auth/login", ADMIN, 200);
        HttpResponse<String> admin = get("/admin", token);
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(admin.body()).contains("admin area");
        assertThat(get("/hello", token).body()).contains("\"role\":\"admin\"");
    }

    @Test
    void noTokenAndGarbageAre401WithABearerChallenge() throws Exception {
        HttpResponse<String> none = get("/hello", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        HttpResponse<String> garbage = get("/hello", "not-a-token");
        assertThat(garbage.statusCode()).isEqualTo(401);
        assertThat(garbage.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).contains("invalid_token"));
    }

    @Test
    void forgedTamperedExpiredAndWronglyTypedTokensAre401() throws Exception {
        String real = accessToken("/auth/register", "user-" + UUID.randomUUID() + "@example.com", 201);
        assertThat(get("/hello", sign(LATCHKEY_KEY, real, c -> {})).statusCode()).isEqualTo(200); // the control

        // signed by another key under Latchkey's kid
        assertThat(get("/admin", sign(rsaKeyPair(), real, c -> c.claim("role", "admin"))).statusCode()).isEqualTo(401);
        // role raised in the payload, Latchkey's signature kept
        String[] parts = real.split("\\.");
        String raised = new JWTClaimsSet.Builder(SignedJWT.parse(real).getJWTClaimsSet()).claim("role", "admin").build()
                .toPayload().toBase64URL().toString();
        assertThat(get("/admin", parts[0] + "." + raised + "." + parts[2]).statusCode()).isEqualTo(401);
        // Latchkey's own key, but expired (beyond Spring's 60 s of clock skew)
        Instant past = Instant.now().minus(Duration.ofMinutes(20));
        assertThat(get("/hello", sign(LATCHKEY_KEY, real, c -> c.issueTime(Date.from(past))
                .expirationTime(Date.from(past.plus(Duration.ofMinutes(15)))))).statusCode()).isEqualTo(401);
        // Latchkey's own key, but for another audience, another issuer, or without client_id
        assertThat(get("/hello", sign(LATCHKEY_KEY, real, c -> c.audience("billing"))).statusCode()).isEqualTo(401);
        assertThat(get("/hello", sign(LATCHKEY_KEY, real, c -> c.issuer("http://evil.example"))).statusCode()).isEqualTo(401);
        assertThat(get("/hello", sign(LATCHKEY_KEY, real, c -> c.claim("client_id", null))).statusCode()).isEqualTo(401);
        // Latchkey's own key, but typ JWT (an ID token or some other JWT): the RFC 9068 validator refuses it
        SignedJWT plainJwt = new SignedJWT(new JWSHeader.Builder(SignedJWT.parse(real).getHeader()).type(JOSEObjectType.JWT).build(),
                SignedJWT.parse(real).getJWTClaimsSet());
        plainJwt.sign(new RSASSASigner(LATCHKEY_KEY.getPrivate()));
        assertThat(get("/hello", plainJwt.serialize()).statusCode()).isEqualTo(401);
    }

    /** Re-signs the real token's header and claims, changed, with the given key. */
    private static String sign(KeyPair key, String real, Consumer<JWTClaimsSet.Builder> change) throws Exception {
        SignedJWT parsed = SignedJWT.parse(real);
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder(parsed.getJWTClaimsSet());
        change.accept(claims);
        SignedJWT jwt = new SignedJWT(parsed.getHeader(), claims.build());
        jwt.sign(new RSASSASigner(key.getPrivate()));
        return jwt.serialize();
    }

    private HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String accessToken(String path, String email, int expectedStatus) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(LATCHKEY.baseUrl() + path))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
        Matcher token = Pattern.compile("\"accessToken\"\\s*:\\s*\"([^\"]+)\"").matcher(response.body());
        assertThat(token.find()).as(response.body()).isTrue();
        return token.group(1);
    }

    private static String subject(String token) throws Exception {
        return SignedJWT.parse(token).getJWTClaimsSet().getSubject();
    }

    private static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(KeyPair key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }
}
