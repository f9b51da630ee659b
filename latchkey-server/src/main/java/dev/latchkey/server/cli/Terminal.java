package dev.latchkey.server.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/** What a command-line run sees of the world: its environment and standard streams (injected, so tests run it in-process). */
public record Terminal(Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
    public static Terminal system() {
        return new Terminal(System.getenv(), System.in, System.out, System.err);
    }
}
