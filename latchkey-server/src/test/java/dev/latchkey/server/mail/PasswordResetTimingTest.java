package dev.latchkey.server.mail;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * A password-reset request for an address without an account cannot be told from one for a real
 * account: same status, same body, and the same time to answer, measured against a running
 * server that really sends the real account's mails over SMTP.
 *
 * <p>A statistical test on a shared, noisy machine: after a warm-up, requests alternate (in a
 * random order within each pair) and the medians are compared; the ratio must be within 0.8 to
 * 1.25. A round that misses is measured again, at most three rounds in all: a real difference
 * (a database insert or an SMTP exchange on the request path) misses every round.
 */
class PasswordResetTimingTest {
    static final int WARM_UP = 30;
    static final int PAIRS = 40;
    static final int ROUNDS = 3;

    @Test
    void unknownAddressesAnswerLikeKnownOnesInStatusBodyAndTime() {
        try (SmtpServer smtp = SmtpServer.start();
             TestServer server = TestServer.start(TestServer.Engine.SQLITE, new MutableClock(), Map.of(
                     "LATCHKEY_SMTP_URL", smtp.url(), "LATCHKEY_MAIL_FROM", "no-reply@latchkey.test",
                     "LATCHKEY_RATE_LIMIT_RESET_PER_ACCOUNT", "1000000/1m"))) {
            Client client = new Client(server.baseUrl());
            String known = "timing-known@example.com";
            String unknown = "timing-unknown@example.com";
            assertThat(new Browser(client).register(known, "correct horse battery staple").status()).isEqualTo(201);

            Reply knownReply = client.postJson("/auth/password-reset", Client.json("email", known));
            Reply unknownReply = client.postJson("/auth/password-reset", Client.json("email", unknown));
            assertThat(unknownReply.status()).isEqualTo(knownReply.status()).isEqualTo(202);
            assertThat(unknownReply.body()).isEqualTo(knownReply.body());

            for (int i = 0; i < WARM_UP; i++) {
                time(client, known);
                time(client, unknown);
            }
            List<String> ratios = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                long[] knownTimes = new long[PAIRS];
                long[] unknownTimes = new long[PAIRS];
                for (int i = 0; i < PAIRS; i++) {
                    if (ThreadLocalRandom.current().nextBoolean()) {
                        knownTimes[i] = time(client, known);
                        unknownTimes[i] = time(client, unknown);
                    } else {
                        unknownTimes[i] = time(client, unknown);
                        knownTimes[i] = time(client, known);
                    }
                }
                double ratio = (double) median(unknownTimes) / median(knownTimes);
                ratios.add(String.format("%.3f (known %d µs, unknown %d µs)", ratio, median(knownTimes) / 1000,
                        median(unknownTimes) / 1000));
                if (ratio >= 0.8 && ratio <= 1.25) {
                    System.out.println("password-reset timing, unknown / known medians: " + ratios);
                    assertThat(smtp.mailsTo(unknown)).isEmpty();
                    assertThat(smtp.mailsTo(known)).isNotEmpty();
                    return;
                }
                server.server().mail().outbox().drain(10_000);
            }
            throw new AssertionError("median time of unknown / known outside 0.8 to 1.25 in every round: " + ratios);
        }
    }

    private static long time(Client client, String email) {
        String body = Client.json("email", email);
        long start = System.nanoTime();
        Reply reply = client.postJson("/auth/password-reset", body);
        long elapsed = System.nanoTime() - start;
        assertThat(reply.status()).isEqualTo(202);
        return elapsed;
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
