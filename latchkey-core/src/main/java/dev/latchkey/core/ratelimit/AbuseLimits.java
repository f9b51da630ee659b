package dev.latchkey.core.ratelimit;

/**
 * Every configured limit: per client IP and per account (normalized email) on login and
 * registration, per IP and per session (token family) on refresh, per user on password change,
 * and the lockout after consecutive failed logins of one account.
 */
public record AbuseLimits(
        RateLimit loginPerIp,
        RateLimit loginPerAccount,
        RateLimit registerPerIp,
        RateLimit registerPerAccount,
        RateLimit refreshPerIp,
        RateLimit refreshPerSession,
        RateLimit passwordChangePerUser,
        LockoutPolicy lockout) {}
