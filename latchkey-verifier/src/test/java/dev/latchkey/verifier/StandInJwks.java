package dev.latchkey.verifier;

import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A stand-in issuer on loopback: serves a JWKS the test sets (public parts only), with the
 * {@code Cache-Control} the test sets, and a discovery document; counts the JWKS fetches.
 */
final class StandInJwks implements AutoCloseable {
    private final HttpServer server;
    private final AtomicReference<JWKSet> keys = new AtomicReference<>(new JWKSet());
    private final AtomicReference<String> cacheControl = new AtomicReference<>();
    private final AtomicReference<String> discoveryIssuer = new AtomicReference<>();
    private final AtomicInteger jwksFetches = new AtomicInteger();
    private final AtomicInteger status = new AtomicInteger(200);

    StandInJwks() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/.well-known/jwks.json", exchange -> {
            jwksFetches.incrementAndGet();
            if (cacheControl.get() != null) {
                exchange.getResponseHeaders().set("Cache-Control", cacheControl.get());
            }
            respond(exchange, status.get(), keys.get().toPublicJWKSet().toString());
        });
        server.createContext("/.well-known/openid-configuration", exchange -> {
            String issuer = discoveryIssuer.get() != null ? discoveryIssuer.get() : issuer();
            respond(exchange, 200, "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer() + "/.well-known/jwks.json\"}");
        });
        server.start();
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String jwksUri() {
        return issuer() + "/.well-known/jwks.json";
    }

    void publish(JWKSet set) {
        keys.set(set);
    }

    void cacheControl(String value) {
        cacheControl.set(value);
    }

    void discoveryIssuer(String issuer) {
        discoveryIssuer.set(issuer);
    }

    void status(int code) {
        status.set(code);
    }

    int jwksFetches() {
        return jwksFetches.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
