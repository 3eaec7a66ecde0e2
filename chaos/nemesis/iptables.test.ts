import { describe, expect, it } from 'vitest';
import { removeTaggedScript, ruleTag } from './iptables.ts';

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
});
