package dev.latchkey.server.audit;

import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.audit.AuditEventType;
import dev.latchkey.core.audit.AuditOutcome;
import dev.latchkey.core.audit.AuditStore;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit trail of the command line ({@code latchkey users ...}, {@code latchkey keys
 * generate|rotate}): its changes are recorded as the admin API's are, with the same event types
 * where they exist, naming the actor {@value #ACTOR} in {@code details.by} where the admin API
 * names the admin. There is no request, so no address, user agent or session.
 *
 * <p>Unlike the server's {@link AuditWriter}, rows are written at once, in the command's own
 * thread: a command is one short process with nothing to batch, and a queue would only be a
 * way to lose the row when the process ends. Nor is a log line written: the command's
 * standard error is the operator's terminal, and the row is what the trail is read from.
 * Recording never undoes nor fails the change, which is made by then: an insert that fails is
 * reported as one warning line.
 */
public final class CommandLineAudit {
    public static final String ACTOR = "cli";

    private final AuditStore store;
    private final Clock clock;
    private final PrintStream err;
    private final List<AuditEvent> pending = new ArrayList<>();

    public CommandLineAudit(AuditStore store, Clock clock, PrintStream err) {
        this.store = store;
        this.clock = clock;
        this.err = err;
    }

    /** Records one change now. */
    public void record(AuditEventType type, String userId, Map<String, String> details) {
        add(type, userId, details);
        flush();
    }

    /** Queues a change to be recorded by {@link #flush} with the others (an import: one batch, not one row each). */
    public void add(AuditEventType type, String userId, Map<String, String> details) {
        Map<String, String> all = new LinkedHashMap<>(details);
        all.put("by", ACTOR);
        pending.add(new AuditEvent(clock.instant(), type, AuditOutcome.SUCCESS, userId, null, null, null, all));
    }

    /** Writes what {@link #add} queued. */
    public void flush() {
        if (pending.isEmpty()) {
            return;
        }
        try {
            store.insertAll(List.copyOf(pending));
        } catch (RuntimeException e) {
            err.println("latchkey: warning: the change is made, but " + pending.size() + " audit event"
                    + (pending.size() == 1 ? "" : "s") + " could not be recorded: " + e.getMessage());
        } finally {
            pending.clear();
        }
    }
}
