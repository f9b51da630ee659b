package dev.latchkey.store;

/**
 * A database operation failed. The message is deliberately generic, safe to show anyone; the
 * cause (with SQL state, driver message and perhaps SQL text) is only for the logs.
 */
public class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(Throwable cause) {
        this("The database operation failed.", cause);
    }
}
