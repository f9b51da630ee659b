package dev.latchkey.server.config;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** An IPv4 or IPv6 network such as {@code 10.0.0.0/8} or {@code ::1/128}; a bare address is a /32 or /128. */
public record Cidr(byte[] network, int prefixLength) {
    private static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
    /** Dotted-quad IPv4 only: no short forms ({@code 127.1}), no single numbers, no leading zeros. */
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    /** A candidate IPv6 literal; with a colon in it the JDK parses it as a literal and never asks DNS. */
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:][0-9a-fA-F:.]*");

    public static Cidr parse(String text) {
        String[] parts = text.trim().split("/", 2);
        byte[] address = literalAddress(parts[0]);
        int bits = address.length * 8;
        int prefix = bits;
        if (parts.length == 2) {
            try {
                prefix = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' has a bad prefix length");
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + text + "' has a bad prefix length");
            }
        }
        return new Cidr(address, prefix);
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        BigInteger mask = prefixLength == 0 ? BigInteger.ZERO
                : BigInteger.ONE.shiftLeft(prefixLength).subtract(BigInteger.ONE).shiftLeft(network.length * 8 - prefixLength);
        return new BigInteger(1, candidate).and(mask).equals(new BigInteger(1, network).and(mask));
    }

    /**
     * Parses only IP literals, never a host name: nothing here ever causes a DNS lookup, neither
     * at start nor for an address taken from a request header.
     */
    public static byte[] literalAddress(String text) {
        String value = text.trim();
        boolean ipv4 = IPV4.matcher(value).matches();
        boolean ipv6 = !ipv4 && value.indexOf(':') >= 0 && IPV6.matcher(value).matches();
        if (!ipv4 && !ipv6) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR");
        }
        try {
            return InetAddress.getByName(value).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR");
        }
    }
}
