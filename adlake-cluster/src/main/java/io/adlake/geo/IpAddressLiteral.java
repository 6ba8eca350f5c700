package io.adlake.geo;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parses the text of device.ip as an address literal, never as a host name: {@link
 * InetAddress#getByName} would resolve "ad-server.local" through DNS, once per row.
 */
final class IpAddressLiteral {
  private static final Pattern IPV4 =
      Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  private IpAddressLiteral() {}

  /** The address, or empty when the text is not an IPv4 or IPv6 literal. */
  static Optional<InetAddress> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String trimmed = text.strip();
    var v4 = IPV4.matcher(trimmed);
    if (v4.matches()) {
      byte[] bytes = new byte[4];
      for (int i = 0; i < 4; i++) {
        int octet = Integer.parseInt(v4.group(i + 1));
        if (octet > 255) {
          return Optional.empty();
        }
        bytes[i] = (byte) octet;
      }
      return address(bytes);
    }
    // With a colon and only hex digits, colons and dots, getByName parses an IPv6 literal and never
    // asks DNS.
    if (trimmed.indexOf(':') >= 0 && IPV6.matcher(trimmed).matches()) {
      try {
        return Optional.of(InetAddress.getByName(trimmed));
      } catch (UnknownHostException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * Whether a database may know where the address is: not private (RFC 1918, IPv6 unique-local),
   * loopback, link-local, unspecified or multicast.
   */
  static boolean isRoutable(InetAddress address) {
    if (address.isAnyLocalAddress()
        || address.isLoopbackAddress()
        || address.isLinkLocalAddress()
        || address.isSiteLocalAddress()
        || address.isMulticastAddress()) {
      return false;
    }
    // fc00::/7, which InetAddress does not call site-local.
    return !(address instanceof Inet6Address && (address.getAddress()[0] & 0xfe) == 0xfc);
  }

  private static Optional<InetAddress> address(byte[] bytes) {
    try {
      return Optional.of(InetAddress.getByAddress(bytes));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 bytes are always an IPv4 address", e);
    }
  }
}
