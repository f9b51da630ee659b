package dev.latchkey.verifier;

import dev.latchkey.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The filter in a real servlet container (embedded Jetty 12, ee10) in front of a servlet that
 * reports what the container tells it about the caller, with tokens from a running Latchkey.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthenticationFilterTest {
    private static final String ADMIN_EMAIL = "admin@example.com";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RunningLatchkey latchkey;
    private Server jetty;
    private String base;

    @BeforeAll
    void start() throws Exception {
        latchkey = RunningLatchkey.start(Map.of("LATCHKEY_BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL,
                "LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD", RunningLatchkey.PASSWORD));
        LatchkeyVerifier verifier = LatchkeyVerifier.builder().issuer(latchkey.issuer()).audience("latchkey").build();
        MutableClock anHourLater = MutableClock.now();
        anHourLater.advance(Duration.ofHours(1));
        LatchkeyVerifier late = LatchkeyVerifier.builder().issuer(latchkey.issuer()).clock(anHourLater).build();
        LatchkeyVerifier issuerDown = LatchkeyVerifier.builder().issuer(latchkey.issuer())
                .jwksUri("http://127.0.0.1:" + RunningLatchkey.freePort() + "/.well-known/jwks.json").build();

        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder(new WhoAmI()), "/*");
        EnumSet<DispatcherType> requests = EnumSet.of(DispatcherType.REQUEST);
        context.addFilter(new FilterHolder(new LatchkeyAuthenticationFilter(verifier)), "/hello/*", requests);
        context.addFilter(new FilterHolder(new LatchkeyAuthenticationFilter(verifier, "admin")), "/admin/*", requests);
        context.addFilter(new FilterHolder(new LatchkeyAuthenticationFilter(late)), "/later/*", requests);
        context.addFilter(new FilterHolder(new LatchkeyAuthenticationFilter(issuerDown)), "/down/*", requests);
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        jetty.setHandler(context);
        jetty.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @AfterAll
    void stop() throws Exception {
        if (jetty != null) {
            jetty.stop();
        }
        latchkey.close();
    }

    /** Reports what the container says about the caller. */
    private static final class WhoAmI extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            VerifiedToken token = (VerifiedToken) request.getAttribute(LatchkeyAuthenticationFilter.TOKEN_ATTRIBUTE);
            response.setContentType("application/json");
            response.getWriter().write(JSON.createObjectNode()
                    .put("principal", request.getUserPrincipal() == null ? null : request.getUserPrincipal().getName())
                    .put("remoteUser", request.getRemoteUser())
                    .put("authType", request.getAuthType())
                    .put("isUser", request.isUserInRole("user"))
                    .put("isAdmin", request.isUserInRole("admin"))
                    .put("attributeSubject", token == null ? null : token.subject())
                    .toString());
        }
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static void assertError(HttpResponse<String> response, int status, String code) throws IOException {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("application/json");
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(json(response).get("code").asText()).isEqualTo(code);
        assertThat(json(response).get("error").asText()).isNotBlank();
    }

    @Test
    void aValidTokenReachesTheServletAsItsPrincipalWithItsRole() throws Exception {
        JsonNode user = latchkey.register("user-" + UUID.randomUUID() + "@example.com");
        String id = user.get("user").get("id").asText();

        HttpResponse<String> response = get("/hello", "Bearer " + user.get("accessToken").asText());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode who = json(response);
        assertThat(who.get("principal").asText()).isEqualTo(id);
        assertThat(who.get("remoteUser").asText()).isEqualTo(id);
        assertThat(who.get("attributeSubject").asText()).isEqualTo(id);
        assertThat(who.get("authType").asText()).isEqualTo("Bearer");
        assertThat(who.get("isUser").asBoolean()).isTrue();
        assertThat(who.get("isAdmin").asBoolean()).isFalse();
        // the scheme is case-insensitive
        assertThat(get("/hello", "bearer " + user.get("accessToken").asText()).statusCode()).isEqualTo(200);
    }

    @Test
    void noBearerTokenIsTokenMissingWithABareChallenge() throws Exception {
        for (String authorization : new String[] {null, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer   "}) {
            HttpResponse<String> response = get("/hello", authorization);
            assertError(response, 401, "TOKEN_MISSING");
            assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"latchkey\"");
        }
        // unprotected paths are untouched
        assertThat(get("/public", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aBadTokenIsTokenInvalidAndAnExpiredOneTokenExpired() throws Exception {
        String token = latchkey.register("user-" + UUID.randomUUID() + "@example.com").get("accessToken").asText();
        String[] parts = token.split("\\.");

        HttpResponse<String> invalid = get("/hello", "Bearer " + parts[0] + "." + parts[1] + ".AAAA" + parts[2].substring(4));
        assertError(invalid, 401, "TOKEN_INVALID");
        assertThat(invalid.headers().firstValue("WWW-Authenticate")).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("Bearer realm=\"latchkey\"").contains("error=\"invalid_token\"");
        assertError(get("/hello", "Bearer not-a-token"), 401, "TOKEN_INVALID");

        HttpResponse<String> expired = get("/later/hello", "Bearer " + token);
        assertError(expired, 401, "TOKEN_EXPIRED");
        assertThat(expired.headers().firstValue("WWW-Authenticate")).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("error=\"invalid_token\"").contains("expired");
    }

    @Test
    void requiredRolesGiveForbiddenToOthers() throws Exception {
        String userToken = latchkey.register("user-" + UUID.randomUUID() + "@example.com").get("accessToken").asText();
        HttpResponse<String> forbidden = get("/admin/users", "Bearer " + userToken);
        assertError(forbidden, 403, "FORBIDDEN");
        assertThat(forbidden.headers().firstValue("WWW-Authenticate")).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("insufficient_scope");

        String adminToken = latchkey.login(ADMIN_EMAIL).get("accessToken").asText();
        HttpResponse<String> allowed = get("/admin/users", "Bearer " + adminToken);
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(json(allowed).get("isAdmin").asBoolean()).isTrue();
        // a missing token on a role-protected path is still 401, not 403
        assertError(get("/admin/users", null), 401, "TOKEN_MISSING");
    }

    @Test
    void unreachableKeysAre503NotAnAuthenticationFailure() throws Exception {
        String token = latchkey.register("user-" + UUID.randomUUID() + "@example.com").get("accessToken").asText();
        HttpResponse<String> response = get("/down/hello", "Bearer " + token);
        assertError(response, 503, "KEYS_UNAVAILABLE");
        assertThat(response.headers().firstValue("WWW-Authenticate")).isEmpty();
    }
}
