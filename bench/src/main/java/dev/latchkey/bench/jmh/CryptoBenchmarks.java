package dev.latchkey.bench.jmh;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import dev.latchkey.core.passwords.PasswordHashing;
import dev.latchkey.core.sessions.RefreshDecision;
import dev.latchkey.core.sessions.RefreshDecisions;
import dev.latchkey.core.sessions.RefreshPolicy;
import dev.latchkey.core.sessions.Session;
import dev.latchkey.core.tokens.AccessTokenIssuer;
import dev.latchkey.core.tokens.AccessTokenVerifier;
import dev.latchkey.core.tokens.KeyRing;
import dev.latchkey.core.tokens.RefreshTokens;
import dev.latchkey.core.tokens.SigningKey;
import dev.latchkey.core.tokens.TokenSettings;
import dev.latchkey.core.tokens.TokenVerification;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU costs the ceilings in docs/benchmarks.md are built from, measured with Latchkey's own
 * classes on one thread: RS256 signing of a whole access token (claims, header, signature,
 * serialisation) with the native provider the server uses ({@code rs256Sign}) and with the JDK's
 * ({@code rs256SignJdk}), its full verification (signature and every claim check) likewise, the
 * verification of a token seen before (remembered: time checks only), password verification
 * with the default argon2id parameters and with bcrypt cost 12, and the pure refresh decision.
 * Run with {@code bench/jmh.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx192m", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Threads(1)
public class CryptoBenchmarks {
    private AccessTokenIssuer issuer;
    private AccessTokenIssuer jdkIssuer;
    private AccessTokenVerifier verifier;
    private AccessTokenVerifier jdkVerifier;
    private AccessTokenVerifier rememberingVerifier;
    private String token;
    private PasswordHashing argon2id;
    private PasswordHashing bcrypt12;
    private String argon2Hash;
    private String bcryptHash;
    private Session session;
    private String presentedHash;
    private RefreshPolicy policy;

    @Setup
    public void setUp() {
        SecureRandom random = new SecureRandom();
        SigningKey key = SigningKey.generateRsa(Instant.now());
        AmazonCorrettoCryptoProvider.INSTANCE.assertHealthy();
        KeyRing ring = KeyRing.of(List.of(key), null, AmazonCorrettoCryptoProvider.INSTANCE);
        KeyRing jdkRing = KeyRing.of(List.of(key));
        TokenSettings settings = TokenSettings.of("http://localhost:8080", TokenSettings.DEFAULT_AUDIENCE,
                TokenSettings.DEFAULT_CLIENT_ID);
        issuer = new AccessTokenIssuer(() -> ring, settings, Clock.systemUTC());
        jdkIssuer = new AccessTokenIssuer(() -> jdkRing, settings, Clock.systemUTC());
        // no remembered tokens: every call verifies in full, as for a token seen the first time
        verifier = new AccessTokenVerifier(() -> ring, settings, Clock.systemUTC(), 0);
        jdkVerifier = new AccessTokenVerifier(() -> jdkRing, settings, Clock.systemUTC(), 0);
        rememberingVerifier = new AccessTokenVerifier(() -> ring, settings, Clock.systemUTC());
        token = issuer.issue("7f6c1f1e-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "user", "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0").value();
        argon2id = PasswordHashing.argon2idDefault(random);
        bcrypt12 = PasswordHashing.configured("bcrypt", 19456, 2, 1, 12, random);
        argon2Hash = argon2id.hash("correct-horse-battery-staple-42");
        bcryptHash = bcrypt12.hash("correct-horse-battery-staple-42");
        String raw = RefreshTokens.generate(random);
        presentedHash = RefreshTokens.hash(raw);
        Instant now = Instant.now();
        session = new Session("s-1", "u-1", presentedHash, null, null, null, now, now, now.plusSeconds(3600),
                now.plusSeconds(86400), null, "bench", "127.0.0.1");
        policy = RefreshPolicy.defaults();
    }

    @Benchmark
    public String rs256Sign() {
        return issuer.issue("7f6c1f1e-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "user", "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0").value();
    }

    @Benchmark
    public String rs256SignJdk() {
        return jdkIssuer.issue("7f6c1f1e-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "user", "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0").value();
    }

    @Benchmark
    public TokenVerification rs256Verify() {
        return verifier.verify(token);
    }

    @Benchmark
    public TokenVerification rs256VerifyJdk() {
        return jdkVerifier.verify(token);
    }

    @Benchmark
    public TokenVerification rs256VerifyRemembered() {
        return rememberingVerifier.verify(token);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 1, time = 2)
    public boolean argon2idVerify() {
        return argon2id.verify("correct-horse-battery-staple-42", argon2Hash).matches();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 1, time = 2)
    public boolean bcrypt12Verify() {
        return bcrypt12.verify("correct-horse-battery-staple-42", bcryptHash).matches();
    }

    @Benchmark
    public RefreshDecision refreshDecision() {
        return RefreshDecisions.decide(Optional.of(session), presentedHash, Instant.now(), policy);
    }
}
