// The images still carry their defaults in shell: these read the scripts, so a number
// changed on one side only fails here instead of in a cluster run.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAIMS, FENCING_DEFAULTS, POSTGRES_SIZING_DEFAULTS, PROXYSQL_DEFAULT_PASSWORDS, PUBLISHED_DEFAULT_PASSWORDS, REPMGR_TIMING_DEFAULTS, promotionLeadSecs } from './claims.ts';
import { REPO_ROOT } from './paths.ts';
import { ROUTER_FLAVORS } from './router-flavors.ts';

const shellOf = (image: string): string =>
  readdirSync(join(REPO_ROOT, 'images', image))
    .filter((f) => f.endsWith('.sh'))
    .map((f) => readFileSync(join(REPO_ROOT, 'images', image, f), 'utf8'))
    .join('\n');

/** Every `${NAME:-default}` the image's scripts fall back to, by NAME. */
function shellDefaults(image: string, name: string): string[] {
  return [...shellOf(image).matchAll(new RegExp(`\\$\\{${name}:-([^}]*)\\}`, 'g'))].map((m) => m[1]!);
}

/** The quoted words of the shell array that lists the published default passwords. */
function knownDefaults(image: string): string[] {
  const line = shellOf(image).split('\n').find((l) => l.includes(`'${PUBLISHED_DEFAULT_PASSWORDS[0]}'`));
  return [...(line ?? '').matchAll(/'([^']*)'/g)].map((m) => m[1]!);
}

describe('the claims table and the images agree', () => {
  for (const [name, value] of Object.entries({ ...REPMGR_TIMING_DEFAULTS, ...FENCING_DEFAULTS, ...POSTGRES_SIZING_DEFAULTS })) {
    it(`postgres image: ${name} defaults to ${value}`, () => {
      const found = shellDefaults('postgres', name);
      expect(found.length, `${name} in images/postgres/*.sh`).toBeGreaterThan(0);
      for (const v of found) expect(Number(v)).toBe(value);
    });
  }
  it(`a primary that refuses at once is promoted away no sooner than the fence delay (${CLAIMS.fenceDelaySecs} s) plus 1 s after repmgrd's first failed check`, () => {
    // The fence's own look at its peers and its immediate stop come after the delay: 1 s
    // is what the lead had over the fence delay with 2 reconnect attempts and a 2 s promote
    // delay, and the quorum suite measured the fence first with it.
    expect(promotionLeadSecs()).toBeGreaterThanOrEqual(CLAIMS.fenceDelaySecs + 1);
    expect(promotionLeadSecs({ REPMGR_RECONNECT_ATTEMPTS: 2, REPMGR_RECONNECT_INTERVAL: 1 }, 2)).toBe(3);
  });
  for (const flavor of ['pgpool', 'proxysql'] as const) {
    it(`${flavor} image: ROUTER_MAX_CLIENTS defaults to the flavor table's ${ROUTER_FLAVORS[flavor].defaultMaxClients}`, () => {
      const found = shellDefaults(flavor, 'ROUTER_MAX_CLIENTS');
      expect(found.length).toBeGreaterThan(0);
      for (const v of found) expect(Number(v)).toBe(ROUTER_FLAVORS[flavor].defaultMaxClients);
    });
  }
  it('postgres and pgpool refuse the published default passwords', () => {
    expect(knownDefaults('postgres')).toEqual(PUBLISHED_DEFAULT_PASSWORDS);
    expect(knownDefaults('pgpool')).toEqual(PUBLISHED_DEFAULT_PASSWORDS);
  });
  it("proxysql refuses them and ProxySQL's own defaults", () => {
    expect(knownDefaults('proxysql')).toEqual([...PUBLISHED_DEFAULT_PASSWORDS, ...PROXYSQL_DEFAULT_PASSWORDS]);
  });
});
