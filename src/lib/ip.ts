// One spelling per IP address, so that addresses from events and from indicator sets compare as the addresses they
// are: "2001:DB8::1", "2001:db8:0:0::1" and "2001:0db8::0001" are one IPv6 address, written by RFC 5952's rules
// (lower case, zeros left out, the longest run of zero groups as ::) as Node's own address parser writes it back.
import { SocketAddress, isIP } from "node:net";

/** An IPv6 address that stands for an IPv4 one (a dual-stack socket's view of an IPv4 client) */
const MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/;

/**
 * An IP address in its one spelling: IPv4 as is, IPv6 as RFC 5952 writes it, an IPv4-mapped IPv6 address as its IPv4
 * address; blanks around it trimmed, a zone (%eth0: a name on one host only) dropped. A value that is not an address
 * is returned as given.
 */
export function canonicalIp(value: string): string {
  const v = value.trim();
  const family = isIP(v);
  if (family === 0) return value;
  if (family === 4) return v;
  const written = new SocketAddress({ address: v, family: "ipv6" }).address;
  return MAPPED.exec(written)?.[1] ?? written;
}
