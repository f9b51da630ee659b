package dev.latchkey.verifier;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The issuer's JWKS, fetched with {@code java.net.http} and kept for as long as its
 * {@code Cache-Control: max-age} says (a default when it says nothing), never less than the
 * refetch interval and never more than a day.
 *
 * <p>At most one fetch is in flight (other threads wait for it and use its result), and a fetch
 * happens at most once per refetch interval whatever asks for it: an expired copy, an unknown
 * {@code kid}, or a failed earlier attempt. A flood of tokens naming bogus keys therefore costs
 * the issuer one request per interval, not one per token. When a fetch fails, the last good
 * copy goes on being used (Latchkey publishes a key before it signs with it, so a stale copy
 * still verifies the tokens in flight).
 */
final class RemoteJwks {
    static final Duration MAX_CACHE = Duration.ofDays(1);
    static final int MAX_DOCUMENT_BYTES = 512 * 1024;
    private static final System.Logger log = System.getLogger(RemoteJwks.class.getName());

    private record Snapshot(JWKSet keys, Instant expiresAt) {}

    private final String issuer;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final Duration refetchInterval;
    private final Duration defaultCache;
    private final Clock clock;
    private final ReentrantLock fetchLock = new ReentrantLock();

    private volatile Snapshot snapshot;
    private volatile URI jwksUri;
    /** Written under {@link #fetchLock} only. */
    private Instant lastAttempt;

    RemoteJwks(String issuer, URI configuredJwksUri, HttpClient http, Duration requestTimeout,
               Duration refetchInterval, Duration defaultCache, Clock clock) {
        this.issuer = issuer;
        this.jwksUri = configuredJwksUri;
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.refetchInterval = refetchInterval;
        this.defaultCache = defaultCache;
        this.clock = clock;
    }

    /**
     * The published key with this {@code kid}, or null when the issuer does not publish it (after
     * one refetch, when the refetch interval allows one).
     *
     * @throws JwksUnavailableException when no copy of the keys could be had, or when a refetch
     *     for this unknown {@code kid} was due and failed
     */
    JWK key(String kid) {
        Snapshot current = snapshot;
        if (current == null || !clock.instant().isBefore(current.expiresAt())) {
            current = refresh(null);
        }
        JWK key = current.keys().getKeyByKeyId(kid);
        if (key != null) {
            return key;
        }
        return refresh(kid).keys().getKeyByKeyId(kid);
    }

    /**
     * Fetches unless the interval forbids it or another thread already brought what is needed
     * (a fresh copy, or one that has {@code wantedKid}). Returns the copy to use.
     */
    private Snapshot refresh(String wantedKid) {
        fetchLock.lock();
        try {
            Instant now = clock.instant();
            Snapshot current = snapshot;
            if (current != null && now.isBefore(current.expiresAt())
                    && (wantedKid == null || current.keys().getKeyByKeyId(wantedKid) != null)) {
                return current; // another thread fetched while this one waited
            }
            if (lastAttempt != null && now.isBefore(lastAttempt.plus(refetchInterval))) {
                if (current == null) {
                    throw new JwksUnavailableException("the issuer's keys are unavailable (the last fetch failed at "
                            + lastAttempt + "; next try after " + lastAttempt.plus(refetchInterval) + ")", null);
                }
                return current;
            }
            lastAttempt = now;
            try {
                Snapshot fetched = fetch(now);
                snapshot = fetched;
                return fetched;
            } catch (IOException | ParseException | RuntimeException e) {
                if (current == null || wantedKid != null) {
                    throw new JwksUnavailableException("could not fetch the issuer's keys from " + describeJwksUri()
                            + ": " + e.getMessage(), e);
                }
                log.log(System.Logger.Level.WARNING, "could not refresh the issuer''s keys from {0}, going on with the "
                        + "copy fetched earlier: {1}", describeJwksUri(), e.toString());
                return current;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JwksUnavailableException("interrupted while fetching the issuer's keys", e);
            }
        } finally {
            fetchLock.unlock();
        }
    }

    private String describeJwksUri() {
        URI uri = jwksUri;
        return uri != null ? uri.toString() : "the discovery document of " + issuer;
    }

    private Snapshot fetch(Instant now) throws IOException, InterruptedException, ParseException {
        URI uri = jwksUri;
        if (uri == null) {
            uri = discoverJwksUri();
            jwksUri = uri;
        }
        Response response = get(uri);
        if (response.status() != 200) {
            throw new IOException("HTTP " + response.status() + " from " + uri);
        }
        JWKSet keys = JWKSet.parse(response.body()).toPublicJWKSet();
        Duration lifetime = cacheLifetime(response.headers());
        log.log(System.Logger.Level.DEBUG, "fetched {0} keys from {1}, kept for {2}", keys.size(), uri, lifetime);
        return new Snapshot(keys, now.plus(lifetime));
    }

    /**
     * The {@code jwks_uri} of the issuer's discovery document, whose {@code issuer} must be ours
     * exactly; {@code <issuer>/.well-known/jwks.json} when the issuer publishes no such document.
     */
    private URI discoverJwksUri() throws IOException, InterruptedException, ParseException {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        Response response = get(URI.create(base + "/.well-known/openid-configuration"));
        if (response.status() == 404) {
            return URI.create(base + "/.well-known/jwks.json");
        }
        if (response.status() != 200) {
            throw new IOException("HTTP " + response.status() + " from the discovery document");
        }
        Map<String, Object> doc = JSONObjectUtils.parse(response.body());
        String published = JSONObjectUtils.getString(doc, "issuer");
        if (!issuer.equals(published)) {
            throw new IOException("the discovery document names issuer " + published + ", not " + issuer);
        }
        URI uri = JSONObjectUtils.getURI(doc, "jwks_uri");
        if (uri == null || uri.getScheme() == null
                || !(uri.getScheme().equalsIgnoreCase("https") || uri.getScheme().equalsIgnoreCase("http"))) {
            throw new IOException("the discovery document has no usable jwks_uri");
        }
        return uri;
    }

    private record Response(int status, HttpHeaders headers, String body) {}

    private Response get(URI uri) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(requestTimeout)
                .header("Accept", "application/json").GET().build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            byte[] body = in.readNBytes(MAX_DOCUMENT_BYTES + 1);
            if (body.length > MAX_DOCUMENT_BYTES) {
                throw new IOException("document from " + uri + " is larger than " + MAX_DOCUMENT_BYTES + " bytes");
            }
            return new Response(response.statusCode(), response.headers(), new String(body, StandardCharsets.UTF_8));
        }
    }

    /** {@code max-age} (0 for {@code no-store}/{@code no-cache}), clamped to [refetch interval, 1 day]. */
    Duration cacheLifetime(HttpHeaders headers) {
        Duration lifetime = defaultCache;
        for (String value : headers.allValues("Cache-Control")) {
            for (String directive : value.split(",")) {
                String d = directive.trim().toLowerCase(Locale.ROOT);
                if (d.equals("no-store") || d.equals("no-cache")) {
                    lifetime = Duration.ZERO;
                } else if (d.startsWith("max-age=")) {
                    try {
                        lifetime = Duration.ofSeconds(Long.parseLong(d.substring("max-age=".length()).replace("\"", "")));
                    } catch (NumberFormatException | ArithmeticException e) {
                        // an unreadable max-age: keep the default
                    }
                }
            }
        }
        if (lifetime.compareTo(refetchInterval) < 0) {
            return refetchInterval;
        }
        return lifetime.compareTo(MAX_CACHE) > 0 ? MAX_CACHE : lifetime;
    }
}
