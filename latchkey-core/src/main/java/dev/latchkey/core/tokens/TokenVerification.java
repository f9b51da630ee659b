package dev.latchkey.core.tokens;

/** Outcome of verifying an access token. */
public sealed interface TokenVerification {

    /** Signature, type, issuer, audience, time window and claims all check out. */
    record Valid(AccessTokenClaims claims) implements TokenVerification {}

    /** Genuine and otherwise valid, but past {@code exp} + leeway: clients refresh on this one. */
    record Expired() implements TokenVerification {}

    /** Anything else. {@code reason} is for logs only, never shown to callers verbatim. */
    record Invalid(String reason) implements TokenVerification {}
}
