package dev.latchkey.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Command-line options of {@link BenchMain}. */
record BenchOptions(Path root, Path out, Duration warmup, Duration duration, List<Integer> clients,
                    List<String> engines, String httpClientMode, boolean prime) {

    static final String USAGE = """
            usage: ./latchkey bench [options]
              --warmup 5s                 warm-up per run, not counted
              --duration 15s              measured window per run
              --clients 16,64             client counts, one run each
              --engines postgres,sqlite   databases to run against
              --http-client shared        shared: one HttpClient for all clients; per-client: one each
              --no-prime                  skip the first, unmeasured server start (CDS archive warm-up)
              --out docs/benchmarks.md    where the report goes ('-' for none)
            """;

    static BenchOptions parse(String[] args) {
        Path root = Path.of("").toAbsolutePath();
        Path out = null;
        Duration warmup = Duration.ofSeconds(5);
        Duration duration = Duration.ofSeconds(15);
        List<Integer> clients = List.of(16, 64);
        List<String> engines = List.of("postgres", "sqlite");
        String mode = "shared";
        boolean prime = true;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--root" -> root = Path.of(value(args, ++i, arg)).toAbsolutePath();
                case "--out" -> out = Path.of(value(args, ++i, arg));
                case "--warmup" -> warmup = duration(value(args, ++i, arg));
                case "--duration" -> duration = duration(value(args, ++i, arg));
                case "--clients" -> clients = integers(value(args, ++i, arg));
                case "--engines" -> engines = engines(value(args, ++i, arg));
                case "--http-client" -> {
                    mode = value(args, ++i, arg);
                    if (!mode.equals("shared") && !mode.equals("per-client")) {
                        throw new IllegalArgumentException("--http-client is shared or per-client");
                    }
                }
                case "--no-prime" -> prime = false;
                case "-h", "--help" -> throw new IllegalArgumentException("");
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if (out == null) {
            out = root.resolve("docs/benchmarks.md");
        } else if (!out.isAbsolute() && !out.toString().equals("-")) {
            out = root.resolve(out);
        }
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("--duration must be positive");
        }
        return new BenchOptions(root, out, warmup, duration, clients, engines, mode, prime);
    }

    boolean writesReport() {
        return !out.toString().equals("-");
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** {@code 500ms}, {@code 15s}, {@code 2m}, or plain seconds. */
    static Duration duration(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            } else if (s.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
            } else if (s.endsWith("m")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 60_000));
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: " + text);
        }
    }

    private static List<Integer> integers(String text) {
        List<Integer> values = new ArrayList<>();
        for (String part : text.split(",")) {
            int n = Integer.parseInt(part.strip());
            if (n < 1) {
                throw new IllegalArgumentException("client counts are positive");
            }
            values.add(n);
        }
        return List.copyOf(values);
    }

    private static List<String> engines(String text) {
        List<String> values = new ArrayList<>();
        for (String part : text.split(",")) {
            String engine = part.strip().toLowerCase(Locale.ROOT);
            if (!engine.equals("postgres") && !engine.equals("sqlite")) {
                throw new IllegalArgumentException("engines are postgres and sqlite");
            }
            values.add(engine);
        }
        return List.copyOf(values);
    }
}
