import { describe, expect, it } from 'vitest';
import { cutScript, removeTaggedScript, ruleTag } from './iptables.ts';
import type { ClusterInfo } from '../../cluster/info.ts';

describe('iptables rule tags', () => {
  it('names a fault by its kind and both sides, whatever order the sides were listed in', () => {
    expect(ruleTag('partition', ['pg-1'], ['pg-3', 'pg-2'])).toBe(ruleTag('partition', ['pg-1'], ['pg-2', 'pg-3']));
    expect(ruleTag('partition', ['pg-1'], ['pg-2'])).not.toBe(ruleTag('loss', ['pg-1'], ['pg-2']));
    expect(ruleTag('partition', ['pg-1'], ['pg-2'])).not.toBe(ruleTag('partition', ['pg-2'], ['pg-1']));
  });

  it('deletes only rules whose comment is the whole tag, quoted (iptables-nft) or not', () => {
    const short = ruleTag('partition', ['pg-1'], ['pg-2']);
    const longer = ruleTag('partition', ['pg-1'], ['pg-2', 'pg-3']);
    expect(longer.startsWith(short)).toBe(true);
    const script = removeTaggedScript(short);
    expect(script).toContain(`-e '--comment "${short}" '`);
    expect(script).toContain(`-e '--comment ${short} '`);
    expect(script).not.toContain(longer);
  });

  it('keeps tags to characters the shell and iptables take as they are', () => {
    expect(ruleTag('loss', ['proxysql-2'], ['pg-1', 'witness'])).toMatch(/^[A-Za-z0-9:+/_-]+$/);
  });

  // The network is dual-stack and names resolve to IPv6 first: a cut on IPv4 alone would
  // leave replication and repmgr running over IPv6.
  it('drops both address families of every peer, in both directions', () => {
    const info = { nodes: { 'pg-2': { ip: '172.18.0.3', ip6: 'fd00:1::3' }, witness: { ip: '172.18.0.4', ip6: 'fd00:1::4' } } } as unknown as ClusterInfo;
    const script = cutScript(info, ['pg-2', 'witness'], 'pgha:t', { probability: 0.25 });
    for (const addr of ['172.18.0.3', '172.18.0.4']) for (const dir of ['-s', '-d']) expect(script).toContain(`iptables -w -A PGHA_CHAOS ${dir} ${addr} -m statistic --mode random --probability 0.2500 -m comment --comment pgha:t -j DROP`);
    for (const addr of ['fd00:1::3', 'fd00:1::4']) for (const dir of ['-s', '-d']) expect(script).toContain(`ip6tables -w -A PGHA_CHAOS ${dir} ${addr} -m statistic`);
    expect(script).not.toMatch(/(?<!ip6)iptables -w -A PGHA_CHAOS -[sd] fd00/);
    expect(removeTaggedScript('pgha:t')).toContain('ip6tables -w -S PGHA_CHAOS');
  });

  it('refuses with a TCP reset (established sessions too) that it lets pass, and ICMP for the rest, both families, both directions', () => {
    const info = { nodes: { 'pg-2': { ip: '172.18.0.3', ip6: 'fd00:1::3' } } } as unknown as ClusterInfo;
    const script = cutScript(info, ['pg-2'], 'pgha:t', { cut: 'refuse' });
    for (const [tool, addr] of [['iptables', '172.18.0.3'], ['ip6tables', 'fd00:1::3']] as const) {
      for (const dir of ['-s', '-d']) {
        const reset = script.indexOf(`${tool} -w -A PGHA_CHAOS ${dir} ${addr} -m comment --comment pgha:t -p tcp --tcp-flags RST RST -j RETURN`);
        const tcp = script.indexOf(`${tool} -w -A PGHA_CHAOS ${dir} ${addr} -m comment --comment pgha:t -p tcp -j REJECT --reject-with tcp-reset`);
        const rest = `${script} &&`.indexOf(`${tool} -w -A PGHA_CHAOS ${dir} ${addr} -m comment --comment pgha:t -j REJECT &&`);
        expect(reset, `${tool} ${dir} resets pass (REJECT's own among them)`).toBeGreaterThanOrEqual(0);
        expect(tcp, `${tool} ${dir} tcp reset, after the rule that lets resets pass`).toBeGreaterThan(reset);
        expect(rest, `${tool} ${dir} the rest, after the TCP rule`).toBeGreaterThan(tcp);
      }
    }
    expect(script).not.toContain('DROP');
  });

  it('refuses a peer without an IPv6 address rather than cut half the link', () => {
    const info = { nodes: { 'pg-2': { ip: '172.18.0.3', ip6: '' } } } as unknown as ClusterInfo;
    expect(() => cutScript(info, ['pg-2'], 'pgha:t')).toThrow(/no IPv6 address on the cluster network for pg-2/);
  });
});
