// Rule family (e): no secret may be empty or one of the published defaults.
import { PROXYSQL_DEFAULT_PASSWORDS, PUBLISHED_DEFAULT_PASSWORDS } from '../../model/claims.ts';
import { CLAIM_WORDING, type ClusterSettings, type Finding } from './settings.ts';

/** Published defaults of the modelled cluster, plus ProxySQL's own admin and monitor defaults. */
export const KNOWN_DEFAULT_PASSWORDS: readonly string[] = [...PUBLISHED_DEFAULT_PASSWORDS, ...PROXYSQL_DEFAULT_PASSWORDS];

/** The secrets a deployment of this repo needs. */
export const PASSWORD_NAMES = ['APP_PASSWORD', 'POSTGRES_PASSWORD', 'REPMGR_PASSWORD', 'PROXYSQL_ADMIN_PASSWORD'] as const;

export function checkPasswords(passwords: ClusterSettings['passwords']): Finding[] {
  const findings: Finding[] = [];
  for (const [name, value] of Object.entries(passwords)) {
    if (value === undefined || value === '') {
      findings.push({ id: 'password-empty', severity: 'error', claim: CLAIM_WORDING.secrets, message: `${name} is missing or empty: set a strong secret` });
    } else if (KNOWN_DEFAULT_PASSWORDS.includes(value)) {
      findings.push({ id: 'password-default', severity: 'error', claim: CLAIM_WORDING.secrets, message: `${name} is a published default password: generate a new secret` });
    }
  }
  return findings;
}

/** The secrets named in PASSWORD_NAMES, as an environment holds them (absent ones stay undefined). */
export function passwordsFromEnv(env: Readonly<Record<string, string | undefined>>, names: readonly string[] = PASSWORD_NAMES): Record<string, string | undefined> {
  return Object.fromEntries(names.map((n) => [n, env[n]]));
}
