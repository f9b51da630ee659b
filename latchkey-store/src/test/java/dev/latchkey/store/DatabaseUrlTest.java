package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.store.jdbc.Engine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseUrlTest {

    @Test
    void postgresUrlBecomesJdbcWithDecodedCredentials() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://user:p%40ss@host:5433/db?sslmode=require");

        assertThat(url.engine()).isEqualTo(Engine.POSTGRESQL);
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://host:5433/db?sslmode=require");
        assertThat(url.user()).isEqualTo("user");
        assertThat(url.password()).isEqualTo("p@ss");
        assertThat(url.description()).isEqualTo("postgresql at host:5433/db").doesNotContain("p@ss");
        assertThat(url.toString()).doesNotContain("p@ss").doesNotContain("p%40ss");
    }

    @Test
    void postgresqlSchemeDefaultPortAndPlusSignsInPasswords() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://app:a+b%2Fc%3A%C3%A9@db.internal/latchkey");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/latchkey");
        assertThat(url.user()).isEqualTo("app");
        assertThat(url.password()).isEqualTo("a+b/c:é");
    }

    @Test
    void userWithoutPassword() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://app@[::1]:5432/latchkey");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/latchkey");
        assertThat(url.user()).isEqualTo("app");
        assertThat(url.password()).isNull();
    }

    @Test
    void jdbcUrlsPassThrough() {
        DatabaseUrl postgres = DatabaseUrl.parse("jdbc:postgresql://h:5432/db?user=a&password=secret");
        DatabaseUrl sqlite = DatabaseUrl.parse("jdbc:sqlite:/var/lib/latchkey/latchkey.db");

        assertThat(postgres.engine()).isEqualTo(Engine.POSTGRESQL);
        assertThat(postgres.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db?user=a&password=secret");
        assertThat(postgres.description()).isEqualTo("postgresql at h:5432/db");
        assertThat(sqlite.engine()).isEqualTo(Engine.SQLITE);
        assertThat(sqlite.jdbcUrl()).isEqualTo("jdbc:sqlite:/var/lib/latchkey/latchkey.db");
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "mysql://u:p@h/db", "http://example.com", "postgres://u:p@/db",
            "postgres://u:p@host", "postgres://u:p@host/", "postgres://u:p%zz@host/db", "postgres://u:p w@host/db",
            "jdbc:sqlite::memory:", "jdbc:h2:mem:x", "   "})
    void anythingElseIsAnIllegalArgumentWithAOneLineMessage(String bad) {
        assertThatThrownBy(() -> DatabaseUrl.parse(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("p%zz").doesNotContain("p w"));
    }

    @Test
    void messagesNameTheProblem() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://u:secret@h/db"))
                .hasMessageStartingWith("has unsupported scheme 'mysql'")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgres://u:secret@host"))
                .hasMessageStartingWith("must name exactly one database")
                .hasMessageNotContaining("secret");
    }

    @Test
    void settingsRejectNonsense() {
        assertThatThrownBy(() -> new DatabaseSettings(null, null, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DatabaseSettings("jdbc:sqlite:/x.db", null, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
