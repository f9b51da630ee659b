package dev.latchkey.core.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import dev.latchkey.core.passwords.BreachCheck;
import dev.latchkey.core.passwords.HashingPool;
import dev.latchkey.core.passwords.OccupiedPool;
import dev.latchkey.core.passwords.PasswordHashing;
import dev.latchkey.core.passwords.PasswordPolicy;
import java.lang.reflect.Proxy;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A login or registration that the hashing pool would refuse is refused before the account is
 * read or the password screened: under a flood, refusals cost no database read.
 */
class AccountServiceAdmissionTest {

    @Test
    void aFullHashingPoolRefusesLoginsAndRegistrationsBeforeTouchingTheStore() throws Exception {
        List<String> storeCalls = new ArrayList<>();
        UserStore users = (UserStore) Proxy.newProxyInstance(UserStore.class.getClassLoader(),
                new Class<?>[] {UserStore.class}, (proxy, method, args) -> {
                    storeCalls.add(method.getName());
                    throw new AssertionError("the store was called: " + method.getName());
                });
        List<String> screened = new ArrayList<>();
        BreachCheck breaches = password -> {
            screened.add(password);
            return BreachCheck.Result.CLEAR;
        };
        try (HashingPool pool = new HashingPool(1, 1); OccupiedPool full = OccupiedPool.of(pool, 1)) {
            AccountService accounts = new AccountService(users, PasswordHashing.argon2idDefault(new SecureRandom()),
                    PasswordPolicy.defaults(), pool, breaches, Clock.systemUTC());
            assertThatThrownBy(() -> accounts.attemptLogin("someone@example.com", "violet-anchor-harbour-2291"))
                    .isInstanceOfSatisfying(LatchkeyException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE));
            assertThatThrownBy(() -> accounts.register("new@example.com", "violet-anchor-harbour-2291"))
                    .isInstanceOfSatisfying(LatchkeyException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE));
            assertThat(storeCalls).isEmpty();
            assertThat(screened).isEmpty();
        }
    }
}
