package dev.latchkey.store.redis;

import dev.latchkey.store.StoreException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Latchkey's connections to Redis (Lettuce): one for commands (publish, lockout counters, ping),
 * one for the shared rate-limit buckets (binary values), one subscribed to the revocation channel.
 *
 * <p>Redis is optional and may go away: commands fail fast while a connection is down (they are
 * rejected, not queued, and time out after {@link #COMMAND_TIMEOUT}), Lettuce reconnects on its
 * own every half second, re-subscribes, and the listeners given to {@link #onReconnect} run then,
 * so what was missed in between is caught up from the database.
 */
public final class Redis implements AutoCloseable {
    /** How long a command may take before its caller falls back. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);
    private static final Duration RECONNECT_DELAY = Duration.ofMillis(500);

    private static final Logger log = LoggerFactory.getLogger(Redis.class);

    private final ClientResources resources;
    private final RedisClient client;
    private final String location;
    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisConnection<String, byte[]> buckets;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    private volatile boolean closing;

    private Redis(ClientResources resources, RedisClient client, String location) {
        this.resources = resources;
        this.client = client;
        this.location = location;
        try {
            this.commands = client.connect();
            this.buckets = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
            this.pubSub = client.connectPubSub();
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            resources.shutdown(0, 1, TimeUnit.SECONDS);
            throw new StoreException("Cannot connect to Redis at " + location + ": " + rootMessage(e), e);
        }
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (connection == pubSub && !closing) {
                    log.info("Redis connection to {} is back; catching up on revocations from the database", Redis.this.location);
                    reconnectListeners.forEach(Redis::runQuietly);
                }
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (connection == pubSub && !closing) {
                    log.warn("Redis connection to {} lost; reconnecting (revocations are polled from the database meanwhile)",
                            Redis.this.location);
                }
            }
        });
    }

    /**
     * Connects to {@code redis://[:password@]host:port[/db]} (or {@code rediss://}); fails with a
     * {@link StoreException} naming the host (never the password) when Redis does not answer.
     */
    public static Redis connect(String url) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(COMMAND_TIMEOUT);
        String location = uri.getHost() + ":" + uri.getPort();
        ClientResources resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.constant(RECONNECT_DELAY))
                .build();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).keepAlive(true).build())
                .build());
        return new Redis(resources, client, location);
    }

    /** Runs {@code listener} each time the subscription connection comes back after a loss. */
    public void onReconnect(Runnable listener) {
        reconnectListeners.add(listener);
    }

    /** True while every connection is open (no wait; false during an outage, until Lettuce reconnects). */
    public boolean connected() {
        return commands.isOpen() && buckets.isOpen() && pubSub.isOpen();
    }

    /** True when Redis answers PING within the command timeout. Never throws. */
    public boolean ping() {
        if (!connected()) {
            return false;
        }
        try {
            return "PONG".equals(commands.async().ping().get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    /** host:port, for logs (never the password). */
    public String location() {
        return location;
    }

    StatefulRedisConnection<String, String> commands() {
        return commands;
    }

    StatefulRedisConnection<String, byte[]> buckets() {
        return buckets;
    }

    StatefulRedisPubSubConnection<String, String> pubSub() {
        return pubSub;
    }

    @Override
    public void close() {
        closing = true;
        closeQuietly(pubSub);
        closeQuietly(buckets);
        closeQuietly(commands);
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static void closeQuietly(AutoCloseable connection) {
        try {
            connection.close();
        } catch (Exception e) {
            // closing anyway
        }
    }

    private static void runQuietly(Runnable listener) {
        try {
            listener.run();
        } catch (RuntimeException e) {
            log.warn("after the Redis reconnection: {}", e.toString());
        }
    }

    static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return message.replaceAll("\\s+", " ").strip();
    }
}
