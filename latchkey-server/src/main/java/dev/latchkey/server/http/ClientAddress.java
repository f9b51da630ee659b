package dev.latchkey.server.http;

import dev.latchkey.server.config.Cidr;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The client's IP address. {@code X-Forwarded-For} is believed only hop by hop from the right,
 * and only while the hop that added it is a trusted proxy; with no trusted proxies it is ignored,
 * so a client cannot pick its own address. Only IP literals are ever parsed: a host name in the
 * header is garbage, never looked up. The address is given in one canonical text form (RFC
 * 5952 for IPv6: {@code ::1}, not Jetty's {@code 0:0:0:0:0:0:0:1}), so that one client is one
 * rate-limit key and reads the same in the sessions list, the audit trail and the logs.
 */
final class ClientAddress {
    private final List<Cidr> trustedProxies;

    ClientAddress(List<String> trustedProxies) {
        this.trustedProxies = trustedProxies.stream().map(Cidr::parse).toList();
    }

    /**
     * @param remoteAddress the peer's address as the servlet container gives it (Jetty writes
     *                      IPv6 in brackets, {@code [::1]}; the brackets are dropped)
     */
    String resolve(String remoteAddress, String forwardedFor) {
        return canonical(resolveAsWritten(remoteAddress, forwardedFor));
    }

    private String resolveAsWritten(String remoteAddress, String forwardedFor) {
        String remote = unbracketed(remoteAddress);
        if (trustedProxies.isEmpty() || forwardedFor == null || !trusted(remote)) {
            return remote;
        }
        String[] hops = forwardedFor.split(",");
        String client = remote;
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = unbracketed(hops[i]);
            if (parse(hop) == null) {
                return client;
            }
            client = hop;
            if (!trusted(hop)) {
                return hop;
            }
        }
        return client;
    }

    /**
     * The canonical text of an IP literal: dotted quad for IPv4 (an IPv4-mapped IPv6 address
     * too), RFC 5952 for IPv6 (lower case, leading zeros dropped, the longest run of zero
     * groups as {@code ::}). Anything else (null, a value stored before addresses were
     * canonical and not an IP) is returned as it is.
     */
    static String canonical(String address) {
        InetAddress parsed = parse(address);
        return parsed == null ? address : NetUtil.toAddressString(parsed);
    }

    private boolean trusted(String address) {
        InetAddress parsed = parse(address);
        if (parsed == null) {
            return false;
        }
        for (Cidr cidr : trustedProxies) {
            if (cidr.contains(parsed)) {
                return true;
            }
        }
        return false;
    }

    /** The address of an IP literal, or null for anything else (never a DNS lookup). */
    private static InetAddress parse(String value) {
        if (value == null || value.isEmpty() || value.length() > 45) {
            return null;
        }
        try {
            return InetAddress.getByAddress(Cidr.literalAddress(value));
        } catch (IllegalArgumentException | UnknownHostException e) {
            return null;
        }
    }

    private static String unbracketed(String address) {
        if (address == null) {
            return null;
        }
        String value = address.trim();
        return value.length() > 2 && value.startsWith("[") && value.endsWith("]")
                ? value.substring(1, value.length() - 1) : value;
    }
}
