// Railway's private network is IPv6: a service that listens on IPv4 only is unreachable
// from its peers there. The plan reads the committed image configs and refuses otherwise.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../model/paths.ts';
import type { ProxyFlavor } from '../model/proxy-contract.ts';

export interface ListenCheck {
  image: 'postgres' | ProxyFlavor;
  file: string;
  ok: boolean;
  detail: string;
}

/** Files whose text says how each image listens, relative to the repo. */
export const LISTEN_FILES = {
  postgres: 'images/postgres/entrypoint.sh',
  pgpool: 'images/pgpool/pgpool.conf.template',
  proxysql: 'images/proxysql/proxysql.cnf.template',
} as const;

const setting = (text: string, name: string): string | undefined =>
  text.match(new RegExp(`^\\s*${name}\\s*=\\s*'([^']*)'`, 'm'))?.[1];

export function checkPostgres(text: string): Omit<ListenCheck, 'image' | 'file'> {
  const listen = setting(text, 'listen_addresses');
  if (listen === undefined) return { ok: false, detail: 'no listen_addresses setting found' };
  const all = listen.split(',').map((s) => s.trim());
  if (!all.includes('*') && !all.includes('::')) return { ok: false, detail: `listen_addresses = '${listen}' has no IPv6 address ('*' or '::')` };
  if (!/^\s*host\s+all\s+all\s+::\/0\s/m.test(text)) return { ok: false, detail: "pg_hba has no 'host all all ::/0' line: IPv6 clients would be refused" };
  return { ok: true, detail: `listen_addresses = '${listen}', pg_hba admits ::/0` };
}

export function checkPgpool(text: string): Omit<ListenCheck, 'image' | 'file'> {
  const listen = setting(text, 'listen_addresses');
  if (listen === undefined) return { ok: false, detail: 'no listen_addresses setting found' };
  const all = listen.split(',').map((s) => s.trim());
  return all.includes('*') || all.includes('::')
    ? { ok: true, detail: `listen_addresses = '${listen}'` }
    : { ok: false, detail: `listen_addresses = '${listen}' has no IPv6 address ('*' or '::')` };
}

export function checkProxysql(text: string): Omit<ListenCheck, 'image' | 'file'> {
  // The clients' listener lives in pgsql_variables; admin listens on loopback on purpose.
  const section = text.match(/pgsql_variables\s*=\s*\{([\s\S]*?)\n\}/)?.[1];
  if (section === undefined) return { ok: false, detail: 'no pgsql_variables section found' };
  const interfaces = section.match(/interfaces\s*=\s*"([^"]*)"/)?.[1];
  if (interfaces === undefined) return { ok: false, detail: 'pgsql_variables has no interfaces setting' };
  return interfaces.split(';').some((i) => i.trim().startsWith('[::]:'))
    ? { ok: true, detail: `pgsql interfaces="${interfaces}"` }
    : { ok: false, detail: `pgsql interfaces="${interfaces}" has no [::] listener` };
}

const CHECKS = { postgres: checkPostgres, pgpool: checkPgpool, proxysql: checkProxysql } as const;

export function checkListensOnIpv6(flavor: ProxyFlavor, read: (file: string) => string = (f) => readFileSync(join(REPO_ROOT, f), 'utf8')): ListenCheck[] {
  return (['postgres', flavor] as const).map((image) => {
    const file = LISTEN_FILES[image];
    let text: string;
    try {
      text = read(file);
    } catch (e) {
      return { image, file, ok: false, detail: `can't read: ${(e as Error).message}` };
    }
    return { image, file, ...CHECKS[image](text) };
  });
}
