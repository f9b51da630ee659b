package dev.latchkey.server.http;

import dev.latchkey.server.config.Cidr;
import java.net.InetAddress;
import java.util.List;

/**
 * The client's IP address. {@code X-Forwarded-For} is believed only hop by hop from the right,
 * and only while the hop that added it is a trusted proxy; with no trusted proxies it is ignored,
 * so a client cannot pick its own address.
 */
final class ClientAddress {
    private final List<Cidr> trustedProxies;

    ClientAddress(List<String> trustedProxies) {
        this.trustedProxies = trustedProxies.stream().map(Cidr::parse).toList();
    }

    String resolve(String remoteAddress, String forwardedFor) {
        if (trustedProxies.isEmpty() || forwardedFor == null || !trusted(remoteAddress)) {
            return remoteAddress;
        }
        String[] hops = forwardedFor.split(",");
        String client = remoteAddress;
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (hop.isEmpty() || !looksLikeIp(hop)) {
                return client;
            }
            client = hop;
            if (!trusted(hop)) {
                return hop;
            }
        }
        return client;
    }

    private boolean trusted(String address) {
        if (!looksLikeIp(address)) {
            return false;
        }
        try {
            InetAddress parsed = InetAddress.getByAddress(Cidr.literalAddress(address));
            for (Cidr cidr : trustedProxies) {
                if (cidr.contains(parsed)) {
                    return true;
                }
            }
            return false;
        } catch (IllegalArgumentException | java.net.UnknownHostException e) {
            return false;
        }
    }

    private static boolean looksLikeIp(String value) {
        return value != null && !value.isEmpty() && value.length() <= 45 && value.matches("[0-9a-fA-F:.]+");
    }
}
