// Rule family (d): pg_hba must not let any client reach the data without a strong password.
import { CLAIM_WORDING, type Finding, type Severity } from './settings.ts';

export interface HbaLine {
  type: string;
  database: string;
  user: string;
  address?: string;
  method: string;
  raw: string;
}

/** Parses the record lines of pg_hba.conf (comments and blank lines are dropped). */
export function parseHba(lines: readonly string[]): HbaLine[] {
  const out: HbaLine[] = [];
  for (const raw of lines) {
    const text = raw.replace(/#.*/, '').trim();
    if (!text) continue;
    const f = text.split(/\s+/);
    const type = f[0]!;
    if (type === 'local') {
      out.push({ type, database: f[1] ?? '', user: f[2] ?? '', method: f[3] ?? '', raw });
      continue;
    }
    // host* lines: an address with a separate netmask takes two fields.
    const address = f[3] ?? '';
    const hasMask = !address.includes('/') && /^[\d.]+$|^[0-9a-f:]+$/i.test(address) && /^[\d.]+$|^[0-9a-f:]+$/i.test(f[4] ?? '') && f.length > 5;
    out.push({ type, database: f[1] ?? '', user: f[2] ?? '', address, method: f[hasMask ? 5 : 4] ?? '', raw });
  }
  return out;
}

const isLoopback = (address: string): boolean =>
  address === 'localhost' || address.startsWith('127.') || address === '::1' || address === '::1/128';

export function checkHba(lines: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  for (const l of parseHba(lines)) {
    if (l.type === 'local') continue; // Unix socket: only processes inside the node
    const method = l.method.toLowerCase();
    const weak = method === 'trust' || method === 'password' || method === 'md5';
    if (!weak) continue;
    const where = l.address ?? '';
    const onNetwork = !isLoopback(where);
    const severity: Severity = method === 'md5' || !onNetwork ? 'warning' : 'error';
    const why =
      method === 'trust' ? 'lets anyone who can reach it in without a password'
      : method === 'password' ? 'sends the password in clear text'
      : 'uses the deprecated MD5 challenge (a stolen hash is as good as the password)';
    findings.push({
      id: `pg-hba-${method}`,
      severity,
      claim: CLAIM_WORDING.auth,
      message: `pg_hba line "${l.raw.trim()}" ${why}${onNetwork ? '' : ' (loopback only)'}: use scram-sha-256 for host lines, peer for local ones`,
    });
  }
  return findings;
}
