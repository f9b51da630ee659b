package dev.latchkey.server.cli;

/** A command-line failure meant for the operator: printed as one line {@code latchkey: <message>}, exit code 1. */
public final class CliFailure extends RuntimeException {
    public CliFailure(String message) {
        super(message, null, false, false);
    }
}
