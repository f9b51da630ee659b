package dev.latchkey.store;

/**
 * The database could not be reached (no connection within the timeout, connection refused or
 * lost). Callers may answer 503 rather than 500: it is expected to pass.
 */
public class StoreUnavailableException extends StoreException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreUnavailableException(Throwable cause) {
        this("The database is unavailable.", cause);
    }
}
