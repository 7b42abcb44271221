import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a live-mode webhook may never reach (unless configuration allows it): loopback, private, link-local,
 * carrier-grade NAT, unspecified, multicast and reserved ranges, in IPv4 and IPv6 (IPv4-mapped IPv6 included).
 */
const forbidden = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) forbidden.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) forbidden.addSubnet(network, prefix, 'ipv6');

/** Loopback only: what a test-mode endpoint may target on top of public addresses (local development). */
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export function isForbiddenAddress(address: string): boolean {
  const { address: plain, family } = unmapped(address);
  return forbidden.check(plain, family);
}

export function isLoopbackAddress(address: string): boolean {
  const { address: plain, family } = unmapped(address);
  return loopback.check(plain, family);
}

/** Who may be reached: `public` (live mode), `loopback` (test mode: public and loopback), `any` (configured so). */
export type AddressPolicy = 'public' | 'loopback' | 'any';

/** Which addresses an endpoint of this mode may target: checked at creation (literal hosts) and at every delivery. */
export function addressPolicyFor(livemode: boolean, allowPrivateAddresses: boolean): AddressPolicy {
  if (allowPrivateAddresses) return 'any';
  return livemode ? 'public' : 'loopback';
}

export function addressAllowed(address: string, policy: AddressPolicy): boolean {
  if (policy === 'any' || !isForbiddenAddress(address)) return true;
  return policy === 'loopback' && isLoopbackAddress(address);
}

/** One part of an IPv4 address as URL parsers read it: decimal, octal with a leading 0, or hex with 0x. */
function ipv4Part(part: string): number | undefined {
  if (/^0x[0-9a-f]*$/.test(part)) return part.length === 2 ? 0 : parseInt(part.slice(2), 16);
  if (/^0[0-7]+$/.test(part)) return parseInt(part.slice(1), 8);
  if (/^(0|[1-9]\d*)$/.test(part)) return Number(part);
  return undefined;
}

/** The dotted form of a host written as an IPv4 address in any form a URL parser or resolver accepts (0x7f.1, 2130706433, 127.1, 0177.0.0.1). */
function ipv4Of(host: string): string | undefined {
  const parts = host.split('.');
  if (parts.length > 4 || parts.some((part) => part === '')) return undefined;
  const numbers = parts.map(ipv4Part);
  if (numbers.some((number) => number === undefined || !Number.isSafeInteger(number))) return undefined;
  const values = numbers as number[];
  const last = values[values.length - 1];
  if (values.slice(0, -1).some((value) => value > 255) || last >= 256 ** (5 - values.length)) return undefined;
  let address = last;
  values.slice(0, -1).forEach((value, index) => { address += value * 256 ** (3 - index); });
  return [address >>> 24, (address >>> 16) & 255, (address >>> 8) & 255, address & 255].join('.');
}

/** An IPv4 address carried inside an IPv6 one (IPv4-mapped `::ffff:a.b.c.d`, or the old IPv4-compatible `::a.b.c.d`). */
function embeddedIpv4(ipv6: string): string | undefined {
  let canonical: string;
  try {
    canonical = new URL(`http://[${ipv6}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const match = /^::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!match) return undefined;
  const high = parseInt(match[1], 16);
  const low = parseInt(match[2], 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/**
 * A host as the resolver will see it: brackets gone, lower case, without trailing dots (`LOCALHOST.` is localhost),
 * IPv4 in any notation as dotted decimal, and an IPv4 address inside IPv6 as that IPv4 address. The address policy
 * is only as good as this: every spelling of a forbidden address must come out the same.
 */
export function normalizeHost(hostname: string): string {
  let host = hostname.trim().replace(/^\[|\]$/g, '').toLowerCase().replace(/\.+$/, '');
  if (host.includes(':')) return isIP(host) === 6 ? (embeddedIpv4(host) ?? host) : host;
  host = ipv4Of(host) ?? host;
  return host;
}

/** A host name that is itself an address or `localhost`, checked without DNS (at endpoint creation). */
export function isForbiddenHost(hostname: string, policy: AddressPolicy): boolean {
  const host = normalizeHost(hostname);
  if (host === 'localhost' || host.endsWith('.localhost')) return !addressAllowed('127.0.0.1', policy);
  return isIP(host) !== 0 && !addressAllowed(host, policy);
}

export class ForbiddenAddressError extends Error {}

/**
 * Resolves a host for a delivery and checks every address it resolves to. The caller connects to the returned
 * address (not the name again), so a DNS answer that changes between the check and the connection (rebinding)
 * cannot redirect the request to a forbidden address.
 */
export async function resolveAllowed(hostname: string, policy: AddressPolicy): Promise<{ address: string; family: 4 | 6 }> {
  // A literal address is connected to as written; other spellings of an address (0x7f.1) as the resolver reads them.
  const literal = hostname.replace(/^\[|\]$/g, '');
  const host = isIP(literal) ? literal : normalizeHost(hostname);
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) as 4 | 6 }] : await lookup(host, { all: true, verbatim: true });
  if (addresses.length === 0) throw new ForbiddenAddressError(`${hostname} did not resolve`);
  const refused = addresses.find((entry) => !addressAllowed(entry.address, policy));
  if (refused) throw new ForbiddenAddressError(`${hostname} resolves to ${refused.address}, which webhooks may not reach`);
  return { address: addresses[0].address, family: addresses[0].family as 4 | 6 };
}
