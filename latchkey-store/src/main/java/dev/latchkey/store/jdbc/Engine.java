package dev.latchkey.store.jdbc;

import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The two database engines Latchkey runs on. The SQL in the stores is common to both
 * (ON CONFLICT, RETURNING, partial indexes exist in SQLite since 3.35); what differs is the
 * schema's types, its migrations, and how each reports a unique-constraint violation.
 */
public enum Engine {

    SQLITE("sqlite") {
        @Override
        public boolean isUniqueViolation(SQLException e, String table, String column) {
            // The xerial driver reports the extended result code; the message names table.column.
            return e instanceof SQLiteException sqlite
                    && sqlite.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
                    && String.valueOf(e.getMessage()).contains(table + "." + column);
        }
    },

    POSTGRESQL("postgresql") {
        @Override
        public boolean isUniqueViolation(SQLException e, String table, String column) {
            if (!"23505".equals(e.getSQLState())) {
                return false;
            }
            // The V1 schema names each UNIQUE(column) constraint <table>_<column>_key.
            ServerErrorMessage detail = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
            return detail != null && (table + "_" + column + "_key").equals(detail.getConstraint());
        }
    };

    private final String id;

    Engine(String id) {
        this.id = id;
    }

    /** "sqlite" or "postgresql". */
    public String id() {
        return id;
    }

    /** Flyway location of this engine's migrations. */
    public String migrationLocation() {
        return "classpath:db/migration/" + id;
    }

    /** True when {@code e} is a violation of the unique constraint on {@code table.column}. */
    public abstract boolean isUniqueViolation(SQLException e, String table, String column);
}
