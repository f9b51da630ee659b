package dev.latchkey.server.http;

import dev.latchkey.core.tokens.KeyRing;
import dev.latchkey.core.tokens.TokenSettings;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The published keys and the discovery document, so resource servers verify tokens on their
 * own. The JWKS holds the active key, pre-published keys and keys retired less than the
 * access-token lifetime + leeway + reload interval ago. It may be cached for five minutes: a
 * verifier that refetches on an unknown {@code kid} still accepts tokens of a key activated
 * within that time; for one that does not, pre-publish ({@code latchkey keys generate}) more
 * than five minutes before rotating (automatic rotation pre-publishes on its own).
 */
final class DiscoveryRoutes {
    static final int JWKS_MAX_AGE_SECONDS = 300;

    private final Supplier<KeyRing> keys;
    private final TokenSettings settings;

    DiscoveryRoutes(Supplier<KeyRing> keys, TokenSettings settings) {
        this.keys = keys;
        this.settings = settings;
    }

    void register(RoutesConfig routes) {
        routes.get("/.well-known/jwks.json", this::jwks);
        routes.get("/.well-known/openid-configuration", this::discovery);
    }

    private void jwks(Context ctx) {
        ctx.header("Cache-Control", "public, max-age=" + JWKS_MAX_AGE_SECONDS);
        ctx.contentType("application/json").json(keys.get().publicJwksJson());
    }

    private void discovery(Context ctx) {
        String issuer = settings.issuer();
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("issuer", issuer);
        doc.put("jwks_uri", base + "/.well-known/jwks.json");
        doc.put("id_token_signing_alg_values_supported", algorithms());
        doc.put("token_endpoint_auth_methods_supported", List.of("none"));
        doc.put("access_token_signing_alg_values_supported", algorithms());
        doc.put("response_types_supported", List.of());
        doc.put("subject_types_supported", List.of("public"));
        doc.put("grant_types_supported", List.of("password", "refresh_token"));
        doc.put("claims_supported", List.of("iss", "aud", "sub", "client_id", "role", "sid", "jti", "iat", "exp"));
        ctx.header("Cache-Control", "public, max-age=" + JWKS_MAX_AGE_SECONDS);
        ctx.json(doc);
    }

    private List<String> algorithms() {
        return keys.get().algorithms().stream().map(a -> a.getName()).sorted().toList();
    }
}
