package dev.latchkey.bench;

/**
 * What each simulated client does. The {@link LoadRunner} owns time, phases and numbers; a
 * scenario only says how a client gets ready ({@link Worker#open()}) and what one measured call
 * is ({@link Worker#step()}). Later scenarios (verify, login, mixed) plug in here.
 */
interface Scenario {

    /** Short name used in reports, e.g. {@code refresh}. */
    String name();

    /** What one call of {@link Worker#step()} is, for the report. */
    String describe();

    /** A new client; called on the worker's own virtual thread. */
    Worker newWorker(int index);

    /** One simulated client. Used by one thread only. */
    interface Worker {

        /**
         * Gets the client ready to call {@link #step()} (register or log in); not timed. Called
         * before the first step and again whenever {@link #broken()} says so.
         *
         * @throws CallFailed when the server refused or the call failed; the runner counts it
         */
        void open() throws CallFailed, InterruptedException;

        /** One timed call: {@code null} when it succeeded, else the error's key ({@code "401 REFRESH_TOKEN_REUSED"}). */
        String step() throws InterruptedException;

        /** True when the client lost its session and must {@link #open()} again before the next step. */
        boolean broken();

        /**
         * How long the client waits, untimed, before its next step: the {@code Retry-After} of a
         * {@code 503} it was just given (a polite client), else 0.
         */
        default long pauseMillis() {
            return 0;
        }
    }

    /** A setup call that did not succeed; {@link #key()} names it like a step error does. */
    final class CallFailed extends Exception {
        private final String key;

        CallFailed(String key) {
            super(key, null, false, false);
            this.key = key;
        }

        String key() {
            return key;
        }
    }
}
