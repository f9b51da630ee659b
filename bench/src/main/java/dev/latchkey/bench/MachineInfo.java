package dev.latchkey.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** What the numbers were measured on. */
record MachineInfo(int cpus, String cpuModel, String memory, String kernel, String serverJdk, String benchJdk) {

    static MachineInfo read(Path serverJavaHome) {
        return new MachineInfo(Runtime.getRuntime().availableProcessors(), readCpuModel(), readMemory(),
                firstLine(Path.of("/proc/sys/kernel/osrelease")), jdk(serverJavaHome),
                System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"));
    }

    private static String readCpuModel() {
        for (String line : lines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).strip();
            }
        }
        return "unknown";
    }

    private static String readMemory() {
        for (String line : lines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                long kib = Long.parseLong(line.substring(9).replace("kB", "").strip());
                return String.format(Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0);
            }
        }
        return "unknown";
    }

    private static String jdk(Path javaHome) {
        if (javaHome == null) {
            return "unknown";
        }
        String version = null;
        String vendor = null;
        for (String line : lines(javaHome.resolve("release"))) {
            if (line.startsWith("JAVA_RUNTIME_VERSION=")) {
                version = unquote(line.substring("JAVA_RUNTIME_VERSION=".length()));
            } else if (version == null && line.startsWith("JAVA_VERSION=")) {
                version = unquote(line.substring("JAVA_VERSION=".length()));
            } else if (line.startsWith("IMPLEMENTOR=")) {
                vendor = unquote(line.substring("IMPLEMENTOR=".length()));
            }
        }
        return (vendor == null ? "" : vendor + " ") + (version == null ? "?" : version) + " (" + javaHome + ")";
    }

    private static String unquote(String s) {
        return s.replace("\"", "").strip();
    }

    private static String firstLine(Path file) {
        List<String> lines = lines(file);
        return lines.isEmpty() ? "unknown" : lines.get(0).strip();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }
}
