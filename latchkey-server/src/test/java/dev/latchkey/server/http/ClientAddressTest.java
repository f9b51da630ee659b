package dev.latchkey.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClientAddressTest {
    private final ClientAddress behindProxy = new ClientAddress(List.of("10.0.0.0/8"));

    @Test
    void withoutTrustedProxiesForwardedForIsIgnored() {
        ClientAddress direct = new ClientAddress(List.of());

        assertThat(direct.resolve("10.1.2.3", "203.0.113.7")).isEqualTo("10.1.2.3");
        assertThat(direct.resolve("198.51.100.4", "203.0.113.7")).isEqualTo("198.51.100.4");
        assertThat(direct.resolve("198.51.100.4", null)).isEqualTo("198.51.100.4");
    }

    @Test
    void aTrustedProxysForwardedForIsBelieved() {
        assertThat(behindProxy.resolve("10.1.2.3", "203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(behindProxy.resolve("10.1.2.3", " 203.0.113.7 ")).isEqualTo("203.0.113.7");
    }

    @Test
    void theRightMostUntrustedHopWinsOverWhatTheClientPrepended() {
        assertThat(behindProxy.resolve("10.1.2.3", "1.1.1.1, 203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(behindProxy.resolve("10.1.2.3", "1.1.1.1, 203.0.113.7, 10.9.9.9")).isEqualTo("203.0.113.7");
    }

    @Test
    void whenEveryHopIsTrustedTheLeftMostIsTheClient() {
        assertThat(behindProxy.resolve("10.1.2.3", "10.4.4.4, 10.5.5.5")).isEqualTo("10.4.4.4");
    }

    @Test
    void anUntrustedPeersForwardedForIsIgnored() {
        assertThat(behindProxy.resolve("198.51.100.4", "203.0.113.7")).isEqualTo("198.51.100.4");
        assertThat(behindProxy.resolve("198.51.100.4", "10.1.2.3")).isEqualTo("198.51.100.4");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "garbage", "unknown", "dead.beef", "1.2.3.4.5", "2130706433", "127.1",
            "203.0.113.7:443", "<script>", "1:2", "::1%eth0", "a, b, c"})
    void garbageForwardedForGivesThePeer(String forwardedFor) {
        assertThat(behindProxy.resolve("10.1.2.3", forwardedFor)).isEqualTo("10.1.2.3");
    }

    @Test
    void garbageBeforeAnUntrustedHopIsNeverReached() {
        assertThat(behindProxy.resolve("10.1.2.3", "garbage, 203.0.113.7")).isEqualTo("203.0.113.7");
    }

    @Test
    void garbageBehindATrustedHopStopsAtThatHop() {
        assertThat(behindProxy.resolve("10.1.2.3", "garbage, 10.5.5.5")).isEqualTo("10.5.5.5");
    }

    @Test
    void ipv6Loopback() {
        ClientAddress local = new ClientAddress(List.of("::1/128"));

        assertThat(local.resolve("::1", "2001:db8::7")).isEqualTo("2001:db8::7");
        assertThat(local.resolve("0:0:0:0:0:0:0:1", "2001:db8::7")).isEqualTo("2001:db8::7");
        assertThat(local.resolve("::2", "2001:db8::7")).isEqualTo("::2");
        assertThat(local.resolve("127.0.0.1", "2001:db8::7")).isEqualTo("127.0.0.1");
    }

    @ParameterizedTest
    @CsvSource({
        "[0:0:0:0:0:0:0:1],              ::1",
        "2001:DB8:0:0:0:0:0:7,           2001:db8::7",
        "2001:0db8:0000:0000:0000::0001, 2001:db8::1",
        "2001:db8:0:0:1:0:0:1,           2001:db8::1:0:0:1",
        "2001:db8:0:1:1:1:1:1,           2001:db8:0:1:1:1:1:1",
        "2001:0:0:1:0:0:0:1,             2001:0:0:1::1",
        "0:0:0:0:0:0:0:0,                ::",
        "::ffff:192.0.2.1,               192.0.2.1",
        "203.0.113.7,                    203.0.113.7",
    })
    void addressesAreGivenInTheirCanonicalForm(String written, String canonical) {
        ClientAddress viaProxy = new ClientAddress(List.of("::1/128"));

        assertThat(new ClientAddress(List.of()).resolve(written, null)).isEqualTo(canonical);
        assertThat(viaProxy.resolve("[::1]", written)).isEqualTo(canonical);
        assertThat(ClientAddress.canonical(written.replace("[", "").replace("]", ""))).isEqualTo(canonical);
    }

    @Test
    void whatIsNotAnAddressIsShownAsStored() {
        assertThat(ClientAddress.canonical(null)).isNull();
        assertThat(ClientAddress.canonical("unknown")).isEqualTo("unknown");
    }

    @Test
    void jettysBracketedIpv6PeerIsUnderstood() {
        ClientAddress local = new ClientAddress(List.of("::1/128"));

        assertThat(local.resolve("[0:0:0:0:0:0:0:1]", "203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(local.resolve("[2001:db8::9]", "203.0.113.7")).isEqualTo("2001:db8::9");
        assertThat(new ClientAddress(List.of()).resolve("[::1]", null)).isEqualTo("::1");
    }

    @Test
    void mixedFamiliesAndMultipleRanges() {
        ClientAddress proxies = new ClientAddress(List.of("10.0.0.0/8", "fd00::/8", "192.168.1.1"));

        assertThat(proxies.resolve("fd12::1", "203.0.113.7, 192.168.1.1")).isEqualTo("203.0.113.7");
        assertThat(proxies.resolve("192.168.1.1", "2001:db8::7")).isEqualTo("2001:db8::7");
        assertThat(proxies.resolve("192.168.1.2", "2001:db8::7")).isEqualTo("192.168.1.2");
    }
}
