package dev.latchkey.server.http;

import dev.latchkey.core.accounts.User;
import java.util.LinkedHashMap;
import java.util.Map;

/** The public shape of a user: {@code {id, email, role}}; never the hash. */
final class UserViews {
    private UserViews() {
    }

    static Map<String, Object> of(User user) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", user.id());
        view.put("email", user.email());
        view.put("role", user.role());
        return view;
    }
}
