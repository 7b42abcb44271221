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

/** A host name that is itself an address or `localhost`, checked without DNS (at endpoint creation). */
export function isForbiddenHost(hostname: string, policy: AddressPolicy): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
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
  const host = hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) as 4 | 6 }] : await lookup(host, { all: true, verbatim: true });
  if (addresses.length === 0) throw new ForbiddenAddressError(`${hostname} did not resolve`);
  const refused = addresses.find((entry) => !addressAllowed(entry.address, policy));
  if (refused) throw new ForbiddenAddressError(`${hostname} resolves to ${refused.address}, which webhooks may not reach`);
  return { address: addresses[0].address, family: addresses[0].family as 4 | 6 };
}
