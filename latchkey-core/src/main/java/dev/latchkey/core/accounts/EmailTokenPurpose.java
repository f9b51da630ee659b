package dev.latchkey.core.accounts;

/** What a mailed token is good for; a token of one purpose is refused for the other. */
public enum EmailTokenPurpose {
    VERIFY("verify"),
    RESET("reset");

    private final String stored;

    EmailTokenPurpose(String stored) {
        this.stored = stored;
    }

    /** The value of the {@code purpose} column. */
    public String stored() {
        return stored;
    }
}
