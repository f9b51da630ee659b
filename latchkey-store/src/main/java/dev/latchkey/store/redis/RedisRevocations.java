package dev.latchkey.store.redis;

import dev.latchkey.core.sessions.RevocationBroadcast;
import dev.latchkey.core.sessions.RevocationList;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocations fanned out to every instance over the Redis channel {@value #CHANNEL}. A message is
 * one line: {@code s <sessionId> <revokedAt>} for a revoked session or {@code u <userId> <mark>}
 * for a user's revocation mark (instants in ISO-8601). It carries ids only: no email, no token.
 *
 * <p>Each instance publishes what it revokes (after the database has it) and applies what it
 * hears to its {@link RevocationList} without publishing again; its own messages come back and
 * change nothing (entries merge). Pub/sub delivers to whoever is subscribed at that moment only,
 * so an instance that was disconnected catches up from the database (see {@link Redis#onReconnect}).
 */
public final class RedisRevocations implements RevocationBroadcast {
    public static final String CHANNEL = "latchkey:revocations";

    private static final Logger log = LoggerFactory.getLogger(RedisRevocations.class);

    private final Redis redis;

    private RedisRevocations(Redis redis) {
        this.redis = redis;
    }

    /** Subscribes {@code list} to the channel and makes it announce this instance's revocations there. */
    public static RedisRevocations attach(Redis redis, RevocationList list) {
        redis.pubSub().addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                if (CHANNEL.equals(channel)) {
                    apply(list, message);
                }
            }
        });
        redis.pubSub().sync().subscribe(CHANNEL);
        RedisRevocations revocations = new RedisRevocations(redis);
        list.broadcastTo(revocations);
        return revocations;
    }

    @Override
    public void sessionRevoked(String sessionId, Instant at) {
        publish("s " + sessionId + " " + at);
    }

    @Override
    public void userTokensRevoked(String userId, Instant mark) {
        publish("u " + userId + " " + mark);
    }

    private void publish(String message) {
        if (!redis.connected()) {
            return; // the other instances read it from the database at their next sync
        }
        try {
            redis.commands().async().publish(CHANNEL, message).exceptionally(e -> {
                log.debug("revocation not announced over Redis (the database sync carries it): {}", e.toString());
                return 0L;
            });
        } catch (RuntimeException e) {
            log.debug("revocation not announced over Redis (the database sync carries it): {}", e.toString());
        }
    }

    static void apply(RevocationList list, String message) {
        String[] parts = message.split(" ", 3);
        if (parts.length != 3 || parts[1].isEmpty()) {
            log.warn("ignored a malformed message on {}", CHANNEL);
            return;
        }
        Instant at;
        try {
            at = Instant.parse(parts[2]);
        } catch (DateTimeParseException e) {
            log.warn("ignored a malformed message on {}", CHANNEL);
            return;
        }
        switch (parts[0]) {
            case "s" -> list.learnRevokedSession(parts[1], at);
            case "u" -> list.learnUserMark(parts[1], at);
            default -> log.warn("ignored a message of unknown kind on {}", CHANNEL);
        }
    }
}
