import { describe, expect, it } from 'vitest';
import { addressesIfAttached, networkAddresses, randomUlaSubnet, silentAddresses } from './addresses.ts';

describe('cluster network addresses', () => {
  const inspect = (v4?: string, v6?: string) => ({ NetworkSettings: { Networks: { net: { IPAddress: v4, GlobalIPv6Address: v6 } } } });

  it('reads both addresses of a node on the dual-stack network', () => {
    expect(networkAddresses(inspect('172.18.0.2', 'fd00:1:2::2'), 'net')).toEqual({ ip: '172.18.0.2', ip6: 'fd00:1:2::2' });
  });

  it('refuses a node without an IPv6 address, naming the family', () => {
    expect(() => networkAddresses(inspect('172.18.0.2', ''), 'net')).toThrow(/no IPv6 address on net/);
    expect(() => networkAddresses(inspect(undefined, 'fd00::2'), 'net')).toThrow(/no IPv4 address/);
  });

  it('keeps the last known addresses of a stopped node (nothing read back)', () => {
    expect(addressesIfAttached({ NetworkSettings: { Networks: {} } }, 'net')).toEqual({});
    expect(addressesIfAttached(inspect('172.18.0.3', 'fd00::3'), 'net')).toEqual({ ip: '172.18.0.3', ip6: 'fd00::3' });
  });

  it('makes unique-local /64 subnets from 40 random bits', () => {
    expect(randomUlaSubnet(() => Buffer.from([0x12, 0x34, 0x56, 0x78, 0x9a]))).toBe('fd12:3456:789a::/64');
    expect(randomUlaSubnet(() => Buffer.from([0, 0, 1, 0, 0]))).toBe('fd00:1:0::/64');
    expect(randomUlaSubnet()).toMatch(/^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::\/64$/);
  });
});

describe('silentAddresses', () => {
  it('takes the top of each subnet, where Docker allocating from the bottom never gets', () => {
    expect(silentAddresses(['172.18.0.0/16', 'fde1:24dd:fa9e::/64'], new Set(['172.18.0.2']))).toEqual({ ip: '172.18.255.254', ip6: 'fde1:24dd:fa9e::ffff:fffe' });
    expect(silentAddresses(['fd00:1::/64', '10.5.7.0/24'], new Set()).ip).toBe('10.5.7.254');
  });

  it('refuses a network without both families, or where the address is held', () => {
    expect(() => silentAddresses(['172.18.0.0/16'], new Set())).toThrow(/no IPv6 subnet/);
    expect(() => silentAddresses(['10.5.7.0/24', 'fd00:1::/64'], new Set(['10.5.7.254']))).toThrow(/held by a container/);
  });
});
