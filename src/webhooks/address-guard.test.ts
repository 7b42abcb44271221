import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressAllowed, ForbiddenAddressError, isForbiddenAddress, isForbiddenHost, isLoopbackAddress, normalizeHost, resolveAllowed } from './address-guard.ts';

describe('isForbiddenAddress', () => {
  const forbidden = [
    '10.0.0.1', '10.255.255.255', // private
    '172.16.0.1', '172.31.255.254', // private
    '192.168.0.1', '192.168.255.255', // private
    '169.254.169.254', '169.254.0.1', // link-local (cloud metadata)
    '100.64.0.1', '100.127.255.254', // carrier-grade NAT
    '127.0.0.1', '127.255.0.1', '0.0.0.0', // loopback, unspecified
    '224.0.0.1', '255.255.255.255', // multicast, reserved
    '::1', '::', // loopback, unspecified
    'fe80::1', 'febf::1', // link-local
    'fc00::1', 'fd12:3456:789a::1', // unique local
    '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:7f00:1', '::FFFF:192.168.1.1', // IPv4-mapped, dotted and hex
    '64:ff9b::7f00:1', // NAT64 of 127.0.0.1
  ];
  for (const address of forbidden) it(`forbids ${address}`, () => assert.equal(isForbiddenAddress(address), true));

  const allowed = [
    '8.8.8.8', '1.1.1.1', '93.184.216.34',
    '172.15.255.255', '172.32.0.1', // just outside 172.16.0.0/12
    '100.63.255.255', '100.128.0.1', // just outside 100.64.0.0/10
    '192.169.0.1', '169.255.0.1', '11.0.0.1',
    '2606:4700:4700::1111', '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
  ];
  for (const address of allowed) it(`allows the public address ${address}`, () => assert.equal(isForbiddenAddress(address), false));
});

describe('address policies', () => {
  it('lets test mode (loopback policy) reach loopback and public addresses only', () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '8.8.8.8']) assert.equal(addressAllowed(address, 'loopback'), true, address);
    for (const address of ['10.0.0.1', '192.168.1.1', '169.254.169.254', 'fe80::1', 'fc00::1']) assert.equal(addressAllowed(address, 'loopback'), false, address);
    assert.equal(isLoopbackAddress('127.0.0.53'), true);
    assert.equal(isLoopbackAddress('10.0.0.1'), false);
  });

  it('lets live mode (public policy) reach public addresses only, and `any` reach everything', () => {
    for (const address of ['127.0.0.1', '::1', '10.0.0.1']) {
      assert.equal(addressAllowed(address, 'public'), false, address);
      assert.equal(addressAllowed(address, 'any'), true, address);
    }
    assert.equal(addressAllowed('8.8.8.8', 'public'), true);
  });

  it('checks literal hosts and localhost without DNS', () => {
    assert.equal(isForbiddenHost('localhost', 'public'), true);
    assert.equal(isForbiddenHost('api.localhost', 'public'), true);
    assert.equal(isForbiddenHost('LOCALHOST', 'loopback'), false);
    assert.equal(isForbiddenHost('[::1]', 'public'), true);
    assert.equal(isForbiddenHost('[::1]', 'loopback'), false);
    assert.equal(isForbiddenHost('10.1.2.3', 'loopback'), true);
    assert.equal(isForbiddenHost('example.com', 'public'), false, 'names are checked on their resolved address at delivery');
  });

  it('resolves and refuses at delivery time, naming the refused address', async () => {
    await assert.rejects(resolveAllowed('127.0.0.1', 'public'), (error: unknown) => error instanceof ForbiddenAddressError && /127\.0\.0\.1 resolves to 127\.0\.0\.1/.test(error.message));
    await assert.rejects(resolveAllowed('localhost', 'public'), ForbiddenAddressError);
    await assert.rejects(resolveAllowed('[::ffff:7f00:1]', 'public'), ForbiddenAddressError);
    assert.deepEqual(await resolveAllowed('[::1]', 'loopback'), { address: '::1', family: 6 });
    assert.deepEqual(await resolveAllowed('127.0.0.1', 'any'), { address: '127.0.0.1', family: 4 });
  });
});

describe('normalizeHost: every spelling of an address comes out the same', () => {
  const cases: [string, string][] = [
    ['LOCALHOST.', 'localhost'], ['localhost..', 'localhost'], ['Api.Example.COM.', 'api.example.com'],
    ['0x7f.1', '127.0.0.1'], ['2130706433', '127.0.0.1'], ['127.1', '127.0.0.1'], ['0177.0.0.1', '127.0.0.1'], ['0x7F000001', '127.0.0.1'],
    ['127.0.0.1.', '127.0.0.1'], ['[::ffff:127.0.0.1]', '127.0.0.1'], ['::ffff:7f00:1', '127.0.0.1'], ['[::ffff:a00:1]', '10.0.0.1'], ['::127.0.0.1', '127.0.0.1'],
    ['[::1]', '::1'], ['fe80::1', 'fe80::1'], ['example.com', 'example.com'], ['1.2.3.4.5', '1.2.3.4.5'], ['999.1.1.1', '999.1.1.1'], ['4294967296', '4294967296'],
  ];
  for (const [host, expected] of cases) it(`${host} -> ${expected}`, () => assert.equal(normalizeHost(host), expected));

  it('refuses the odd spellings of loopback and private hosts in live mode (LOCALHOST. passed before)', () => {
    for (const host of ['LOCALHOST.', 'localhost..', 'api.localhost.', '0x7f.1', '2130706433', '127.1', '[::ffff:127.0.0.1]', '[::ffff:a00:1]', '[::127.0.0.1]', '012.0.0.1']) {
      assert.equal(isForbiddenHost(host, 'public'), true, host);
    }
    assert.equal(isForbiddenHost('LOCALHOST.', 'loopback'), false, 'test mode may reach this machine');
    assert.equal(isForbiddenHost('0xa.1', 'loopback'), true, '10.0.0.1 is private');
    assert.equal(isForbiddenHost('example.com.', 'public'), false);
  });
});
