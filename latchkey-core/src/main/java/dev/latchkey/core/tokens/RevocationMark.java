package dev.latchkey.core.tokens;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The rule for user-level token revocation (role change, deletion) with {@code iat} of whole
 * seconds. A user's mark {@code M} (milliseconds) revokes every access token whose {@code iat}
 * is before {@code M} rounded up to the second. Tokens issued for that user afterwards get
 * {@code iat = max(now, ceil(M))}: at most one second in the future, so a token issued right
 * after the change, within the same second, is not refused by its own mark.
 */
public final class RevocationMark {
    /** How far ahead of the clock an {@code iat} chosen by {@link #issuedAt} can be. */
    public static final long MAX_IAT_AHEAD_SECONDS = 2;

    private RevocationMark() {
    }

    /** {@code mark} rounded up to the next whole second (unchanged when already whole). */
    public static Instant ceilToSecond(Instant mark) {
        Instant floor = Instant.ofEpochSecond(mark.getEpochSecond());
        return floor.equals(mark) ? floor : floor.plusSeconds(1);
    }

    /** True when a token issued at {@code issuedAt} is revoked by {@code mark} (null: no mark). */
    public static boolean revokes(Instant mark, Instant issuedAt) {
        return mark != null && issuedAt.getEpochSecond() < ceilToSecond(mark).getEpochSecond();
    }

    /**
     * The mark for a revocation made at {@code now} when the user's current mark is {@code current}
     * (null: none), in milliseconds as stored. Normally {@code now}; but when tokens were already
     * issued with {@code iat} = the current mark rounded up (a second change within one second),
     * the new mark goes past that, so those tokens are revoked too. Tokens issued after it then get
     * an {@code iat} at most two seconds ahead of the clock.
     */
    public static Instant next(Instant now, Instant current) {
        Instant millis = now.truncatedTo(ChronoUnit.MILLIS);
        if (current != null && ceilToSecond(current).isAfter(millis)) {
            return ceilToSecond(current).plusMillis(1);
        }
        return millis;
    }

    /** The {@code iat} for a token issued at {@code now} for a user with {@code mark} (null: no mark). */
    public static Instant issuedAt(Instant now, Instant mark) {
        Instant floor = Instant.ofEpochSecond(now.getEpochSecond());
        if (mark == null) {
            return floor;
        }
        Instant earliest = ceilToSecond(mark);
        return earliest.isAfter(floor) ? earliest : floor;
    }
}
