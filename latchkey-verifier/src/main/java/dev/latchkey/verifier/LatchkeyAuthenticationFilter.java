package dev.latchkey.verifier;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Objects;
import java.util.Set;

/**
 * A Jakarta Servlet filter that lets through only requests with a valid Latchkey access token
 * ({@code Authorization: Bearer <token>}), and, when roles are given, only those whose
 * {@code role} is one of them.
 *
 * <p>On success the request goes on wrapped: {@link HttpServletRequest#getUserPrincipal()} is
 * the {@link VerifiedToken} (its name is the subject), {@link HttpServletRequest#isUserInRole}
 * answers from its {@code role}, {@link HttpServletRequest#getAuthType()} is {@code Bearer},
 * and the token is also in the request attribute {@link #TOKEN_ATTRIBUTE}.
 *
 * <p>Otherwise it answers as Latchkey's HTTP contract says, with {@code Cache-Control: no-store}
 * and a JSON body {@code {"error": "...", "code": "..."}}:
 * <ul>
 *   <li>{@code 401 TOKEN_MISSING} without a bearer token, with {@code WWW-Authenticate: Bearer realm="..."};
 *   <li>{@code 401 TOKEN_EXPIRED} / {@code TOKEN_INVALID}, with {@code error="invalid_token"} (RFC 6750);
 *   <li>{@code 403 FORBIDDEN} when the role is not one of the required ones ({@code error="insufficient_scope"});
 *   <li>{@code 503 KEYS_UNAVAILABLE} when the issuer's keys could not be fetched, so that clients
 *       do not drop their session over an outage.
 * </ul>
 *
 * <p>Thread-safe; register one instance per set of required roles.
 */
public final class LatchkeyAuthenticationFilter implements Filter {

    /** The request attribute holding the {@link VerifiedToken} of an authenticated request. */
    public static final String TOKEN_ATTRIBUTE = VerifiedToken.class.getName();

    private static final System.Logger log = System.getLogger(LatchkeyAuthenticationFilter.class.getName());

    private final LatchkeyVerifier verifier;
    private final Set<String> requiredRoles;
    private final String realm;

    /**
     * @param requiredRoles when not empty, a verified token whose {@code role} is none of these
     *     gets {@code 403 FORBIDDEN}
     */
    public LatchkeyAuthenticationFilter(LatchkeyVerifier verifier, String... requiredRoles) {
        this(verifier, Set.of(requiredRoles), "latchkey");
    }

    public LatchkeyAuthenticationFilter(LatchkeyVerifier verifier, Set<String> requiredRoles, String realm) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.requiredRoles = Set.copyOf(requiredRoles);
        this.realm = Objects.requireNonNull(realm, "realm");
        if (realm.contains("\"") || realm.contains("\\")) {
            throw new IllegalArgumentException("realm must not contain quotes or backslashes");
        }
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            throw new ServletException("LatchkeyAuthenticationFilter handles HTTP requests only");
        }
        VerifiedToken token;
        try {
            token = verifier.verify(bearerToken(request));
        } catch (TokenRejectedException e) {
            log.log(System.Logger.Level.DEBUG, "refused {0} {1}: {2} ({3})", request.getMethod(), request.getRequestURI(),
                    e.reason().code(), e.getMessage());
            reject(response, e.reason());
            return;
        } catch (JwksUnavailableException e) {
            log.log(System.Logger.Level.WARNING, "cannot verify tokens: {0}", e.getMessage());
            write(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, null, "KEYS_UNAVAILABLE",
                    "The access token cannot be verified right now; try again shortly.");
            return;
        }
        if (!requiredRoles.isEmpty() && !requiredRoles.contains(token.role())) {
            write(response, HttpServletResponse.SC_FORBIDDEN,
                    "Bearer realm=\"" + realm + "\", error=\"insufficient_scope\"", "FORBIDDEN",
                    "Your role is not allowed here.");
            return;
        }
        request.setAttribute(TOKEN_ATTRIBUTE, token);
        chain.doFilter(new AuthenticatedRequest(request, token), response);
    }

    /** The token of {@code Authorization: Bearer <token>} (scheme case-insensitive), or null. */
    static String bearerToken(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).strip();
        return token.isEmpty() ? null : token;
    }

    private void reject(HttpServletResponse response, TokenRejectedException.Reason reason) throws IOException {
        switch (reason) {
            case MISSING -> write(response, HttpServletResponse.SC_UNAUTHORIZED, "Bearer realm=\"" + realm + "\"",
                    reason.code(), "An access token is required (Authorization: Bearer).");
            case EXPIRED -> write(response, HttpServletResponse.SC_UNAUTHORIZED,
                    "Bearer realm=\"" + realm + "\", error=\"invalid_token\", error_description=\"The access token expired\"",
                    reason.code(), "The access token expired; refresh it and try again.");
            case INVALID -> write(response, HttpServletResponse.SC_UNAUTHORIZED,
                    "Bearer realm=\"" + realm + "\", error=\"invalid_token\", error_description=\"The access token is invalid\"",
                    reason.code(), "The access token is invalid.");
        }
    }

    private static void write(HttpServletResponse response, int status, String challenge, String code, String message)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(status);
        if (challenge != null) {
            response.setHeader("WWW-Authenticate", challenge);
        }
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        // code and message are constants of this class: nothing to escape.
        response.getWriter().write("{\"error\":\"" + message + "\",\"code\":\"" + code + "\"}");
        response.flushBuffer();
    }

    /** The authenticated request: principal, roles and auth type from the verified token. */
    private static final class AuthenticatedRequest extends HttpServletRequestWrapper {
        private final VerifiedToken token;

        AuthenticatedRequest(HttpServletRequest request, VerifiedToken token) {
            super(request);
            this.token = token;
        }

        @Override
        public Principal getUserPrincipal() {
            return token;
        }

        @Override
        public String getRemoteUser() {
            return token.subject();
        }

        @Override
        public boolean isUserInRole(String role) {
            return role != null && token.role().equals(role);
        }

        @Override
        public String getAuthType() {
            return "Bearer";
        }
    }
}
