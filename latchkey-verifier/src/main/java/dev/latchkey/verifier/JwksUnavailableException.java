package dev.latchkey.verifier;

/**
 * The issuer's keys could not be had (Latchkey unreachable, a non-200 answer, an unreadable
 * JWKS or discovery document) and no earlier copy holds the key a token names. Not the
 * token's fault: a resource server answers {@code 503}, not {@code 401}, so that clients do
 * not throw their session away over an outage.
 */
public final class JwksUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JwksUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
