package dev.latchkey.bench;

import java.util.List;

/**
 * One server start on one database and the runs made against it.
 *
 * @param engine           {@code postgres} or {@code sqlite}
 * @param databaseDetails  version and settings that matter for the numbers
 * @param startToReadyMillis from starting {@code ./latchkey serve} to the first {@code /readyz} 200
 * @param launcherBuilt    the launcher built before starting (then the start time includes a build)
 * @param idleRssKib       server VmRSS right after it became ready
 * @param jvmCommand       the server JVM's command line, as read from {@code /proc}
 * @param serverProblems   WARN and ERROR lines of the server's log during the runs
 */
record EngineRun(String engine, String databaseDetails, long startToReadyMillis, boolean launcherBuilt,
                 long idleRssKib, List<String> jvmCommand, List<RunResult> runs, List<String> serverProblems) {
}
