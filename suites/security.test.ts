import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { connect, endpointOf, queryOnce, repmgrCredentials, type Credentials } from '../cluster/clients.ts';
import { execIn } from '../fixtures/docker.ts';
import { publishedPorts } from '../cluster/control.ts';
import { credentialLines, entrypointScript, filesInImage, secretShapedSettings, significantLines, imageMetadataText, leaks, type Needle } from './support/image-audit.ts';
import { parseHba } from '../config/lint/hba.ts';
import { KNOWN_DEFAULT_PASSWORDS } from '../config/lint/passwords.ts';
import { refusal } from './support/pg-error.ts';
import { CONTRACT_WRONG_PASSWORD_SQLSTATE, ROUTER_FLAVORS, type Refusal } from '../model/router-flavors.ts';
import { startupOutcome } from './support/startup-probe.ts';
import { APP_DATABASE, APP_USER, PROXY_PORT, repmgrNodes, routers, type NodeName } from '../model/topology.ts';

const info = inject('cluster');

/** A password nobody was given: what a network login with it must get is 28P01. */
const wrong = () => `wrong-${randomBytes(9).toString('hex')}`;
const STRONG = () => randomBytes(18).toString('hex');

const APP: Omit<Credentials, 'password'> = { user: APP_USER, database: APP_DATABASE };
const REPMGR: Omit<Credentials, 'password'> = { user: 'repmgr', database: 'repmgr' };
const POSTGRES: Omit<Credentials, 'password'> = { user: 'postgres', database: 'postgres' };

/** Files the postgres image's entrypoint fills with credentials at run time. */
const NODE_CREDENTIAL_FILES = new Map<string, 'store' | 'config'>([
  ['/var/lib/postgresql/.pgpass', 'store'],
  ['/etc/pgha/repmgr.conf', 'config'],
]);

const traits = ROUTER_FLAVORS[info.flavor];

/** The only methods a network (host*) line of pg_hba.conf / pool_hba.conf may use. */
const NETWORK_METHODS = ['scram-sha-256', 'reject'];

describe(`security (${info.flavor})`, () => {
  describe('network logins need scram-sha-256', () => {
    // Every repmgr node takes logins for all three roles; the witness has no app role,
    // and must refuse it the same way (28P01 does not tell which part was wrong).
    const nodeLogins = repmgrNodes().flatMap((n) => [APP, REPMGR, POSTGRES].map((c) => ({ node: n.name, creds: c })));
    const known = [APP, REPMGR].filter((c) => (traits.clientRoles as readonly string[]).includes(c.user));
    const unknown = [APP, REPMGR, POSTGRES].filter((c) => !known.includes(c));
    const routerLogins = routers().flatMap((r) => known.map((c) => ({ node: r.name, creds: c })));
    const unknownLogins = routers().flatMap((r) => unknown.map((c) => ({ node: r.name, creds: c })));

    it.for(nodeLogins)(`refuses $creds.user with a wrong password on $node with SQLSTATE ${CONTRACT_WRONG_PASSWORD_SQLSTATE}`, async ({ node, creds }) => {
      const r = await refusal(connect(endpointOf(info, node), { ...creds, password: wrong() }));
      expect(r.code, `${node} ${creds.user}: ${r.message}`).toBe(CONTRACT_WRONG_PASSWORD_SQLSTATE);
    });

    const deviation = (r: Refusal) => (r.sqlstate !== CONTRACT_WRONG_PASSWORD_SQLSTATE ? ` (${info.flavor}'s KNOWN DEVIATION from ${CONTRACT_WRONG_PASSWORD_SQLSTATE})` : '');
    const { wrongPassword, unknownRole } = traits;
    it.for(routerLogins)(
      `refuses $creds.user with a wrong password through $node with SQLSTATE ${wrongPassword.sqlstate}${deviation(wrongPassword)}`,
      async ({ node, creds }) => {
        const r = await refusal(connect(endpointOf(info, node), { ...creds, password: wrong() }));
        expect(r.code, `${info.flavor} ${node} ${creds.user}: ${r.message}`).toBe(wrongPassword.sqlstate);
        expect(r.message).toMatch(wrongPassword.message);
      },
    );

    // A role the router has no entry for is refused before any data, even with its real
    // password: what the router sends is asserted exactly, per flavor.
    it.for(unknownLogins)(
      `refuses $creds.user, a role ${info.flavor} does not serve, through $node with SQLSTATE ${unknownRole.sqlstate}${deviation(unknownRole)}`,
      async ({ node, creds }) => {
        const password = creds.user === 'repmgr' ? info.secrets.repmgr : creds.user === 'postgres' ? info.secrets.postgres : info.secrets.app;
        const r = await refusal(connect(endpointOf(info, node), { ...creds, password }));
        expect(r.code, `${info.flavor} ${node} ${creds.user}: ${r.message}`).toBe(unknownRole.sqlstate);
        expect(r.message).toMatch(unknownRole.message);
      },
    );

    it.for([...repmgrNodes().map((n) => n.name), ...routers().map((r) => r.name)])('lets the right password in on %s (the refusals above are about the password)', async (node) => {
      const creds = node === 'witness' ? repmgrCredentials(info) : { ...APP, password: info.secrets.app };
      const rows = await queryOnce<{ u: string }>(endpointOf(info, node), creds, 'SELECT current_user AS u');
      expect(rows).toEqual([{ u: creds.user }]);
    });

    it.for(repmgrNodes().map((n) => n.name))('has no trust, password or md5 line for network clients in the pg_hba.conf of %s', async (node) => {
      const file = await execIn(info.nodes[node]!.container, ['bash', '-c', 'cat "$PGDATA/pg_hba.conf"']);
      expect(file.exitCode, file.stderr).toBe(0);
      const network = parseHba(file.stdout.split('\n')).filter((l) => l.type !== 'local');
      expect(network.length, `${node}: network lines in pg_hba.conf`).toBeGreaterThan(0);
      expect(network.filter((l) => !NETWORK_METHODS.includes(l.method)).map((l) => l.raw.trim()), `${node}: weak network lines`).toEqual([]);

      // What the server itself parsed from the file (an unparsable line would be skipped at reload).
      const rules = await queryOnce<{ type: string; auth_method: string | null; error: string | null }>(
        endpointOf(info, node),
        repmgrCredentials(info),
        'SELECT type, auth_method, error FROM pg_hba_file_rules',
      );
      expect(rules.filter((r) => r.error !== null), `${node}: pg_hba.conf lines the server rejects`).toEqual([]);
      const served = rules.filter((r) => r.type !== 'local');
      expect(served.length).toBe(network.length);
      expect(served.filter((r) => !NETWORK_METHODS.includes(r.auth_method ?? ''))).toEqual([]);
    });

    // ProxySQL has no hba file: who may log in is its pgsql_users table, which the refusals above test.
    // Declared only where it applies: a skipped test would (rightly) cost the run its verified record.
    const hbaFile = traits.hbaFile;
    if (hbaFile !== undefined) {
      it.for(routers().map((r) => r.name))(`has no weak line for network clients in the ${hbaFile} of %s`, async (router) => {
        const file = await execIn(info.nodes[router]!.container, ['cat', hbaFile]);
        expect(file.exitCode, file.stderr).toBe(0);
        const network = parseHba(file.stdout.split('\n')).filter((l) => l.type !== 'local');
        expect(network.length).toBeGreaterThan(0);
        expect(network.filter((l) => !NETWORK_METHODS.includes(l.method)).map((l) => l.raw.trim())).toEqual([]);
      });
    }
  });

  describe('no secret is baked into an image', () => {
    const needles: Needle[] = [
      ...Object.entries(info.secrets).map(([name, value]) => ({ name: `this run's ${name} password`, value })),
      ...KNOWN_DEFAULT_PASSWORDS.map((value) => ({ name: `published default '${value}'`, value })),
    ];

    it.for([info.images.postgres, info.images.router])('has none in the history or config of $ref', async (image) => {
      const { history, config } = await imageMetadataText(image.ref);
      // Non-vacuous: this is the real build history and config of the image under test.
      expect(history).toMatch(/apt-get install/);
      expect(config).toContain(image.digest);
      expect(leaks(history, needles), `${image.ref} history`).toEqual([]);
      expect(leaks(config, needles), `${image.ref} config`).toEqual([]);
      // By shape too: any non-empty value for a name that says password, secret, token or key.
      expect(secretShapedSettings(history), `${image.ref} history: secret-named settings with a value`).toEqual([]);
      expect(secretShapedSettings(config), `${image.ref} config: secret-named settings with a value`).toEqual([]);
    });

    const credentialFiles = new Map<string, ReadonlyMap<string, 'store' | 'config'>>([
      [info.images.postgres.ref, NODE_CREDENTIAL_FILES],
      [info.images.router.ref, traits.credentialFiles],
    ]);
    it.for([info.images.postgres, info.images.router])('ships no credential in the files of $ref that hold them at run time', async (image) => {
      // The entrypoints write these from the environment at start; in the image they must
      // be absent or empty (Debian's pgpool2 package ships empty pool_passwd and pcp.conf).
      const expected = credentialFiles.get(image.ref)!;
      const entrypoint = await entrypointScript(image.ref);
      const files = await filesInImage(info.runId, image.ref, [...expected.keys(), entrypoint]);
      // Non-vacuous: the probe does read files that are in the image (the entrypoint it runs).
      expect(files.get(entrypoint), `${image.ref}:${entrypoint}`).toMatch(/^#!/);
      for (const [path, kind] of expected) {
        const content = files.get(path);
        if (content == null) continue;
        expect(credentialLines(kind, content), `${image.ref}:${path}`).toEqual([]);
        expect(leaks(significantLines(content).join('\n'), needles), `${image.ref}:${path}`).toEqual([]);
      }
    });
  });

  describe(`the proxy admin interfaces (${info.flavor} on ${traits.adminPorts.join(', ')})`, () => {
    const tcpOpen = async (fromNode: NodeName, host: string, port: number) =>
      (await execIn(info.nodes[fromNode]!.container, ['timeout', '3', 'bash', '-c', `exec 3<>/dev/tcp/${host}/${port}`])).exitCode === 0;

    const adminCases = routers().flatMap((r) => traits.adminPorts.map((port) => ({ router: r.name, port })));
    it.for(adminCases)('is not reachable on $router:$port from the client network, over IPv4 or IPv6, where its SQL port is', async ({ router, port }) => {
      const r = info.nodes[router]!;
      for (const address of [r.ip, r.ip6]) {
        expect(await tcpOpen('witness', address, PROXY_PORT), `witness -> ${router} ${address} :${PROXY_PORT}`).toBe(true);
        expect(await tcpOpen('witness', address, port), `witness -> ${router} ${address} :${port}`).toBe(false);
      }
      // It does listen, on loopback inside the router: the refusal above is the binding, not its absence.
      expect(await tcpOpen(router, '127.0.0.1', port), `${router} -> its own 127.0.0.1:${port}`).toBe(true);
    });

    it.for(routers().map((r) => r.name))(`publishes only the SQL port ${PROXY_PORT} of %s on the host`, async (router) => {
      expect(await publishedPorts(info, router)).toEqual([`${PROXY_PORT}/tcp`]);
    });
  });

  describe('the images refuse to start with a missing or a published default password', () => {
    // Exit code 64 is the entrypoints' `die`; the log must say which variable is wrong.
    const EXIT_REFUSED = 64;
    const WATCH_MS = 20_000;
    // A lone node with no network: it initialises itself as primary over localhost.
    const nodeEnv = () => ({
      NODE_NAME: 'probe',
      NODE_HOST: 'localhost',
      NODE_ID: '9',
      PEERS: 'localhost',
      PRIMARY_HINT: 'probe',
      POSTGRES_PASSWORD: STRONG(),
      REPMGR_PASSWORD: STRONG(),
      APP_PASSWORD: STRONG(),
    });
    const routerEnv = () => ({ PROXY_NAME: 'probe', APP_PASSWORD: STRONG(), REPMGR_PASSWORD: STRONG(), PROXYSQL_ADMIN_PASSWORD: STRONG() });
    const without = (env: Record<string, string>, key: string) => Object.fromEntries(Object.entries(env).filter(([k]) => k !== key));

    const cases = [
      { image: 'postgres', variable: 'POSTGRES_PASSWORD', how: 'missing', env: () => without(nodeEnv(), 'POSTGRES_PASSWORD') },
      { image: 'postgres', variable: 'POSTGRES_PASSWORD', how: "'postgrespass'", env: () => ({ ...nodeEnv(), POSTGRES_PASSWORD: 'postgrespass' }) },
      { image: 'postgres', variable: 'REPMGR_PASSWORD', how: 'empty', env: () => ({ ...nodeEnv(), REPMGR_PASSWORD: '' }) },
      { image: 'postgres', variable: 'REPMGR_PASSWORD', how: "'repmgrpass'", env: () => ({ ...nodeEnv(), REPMGR_PASSWORD: 'repmgrpass' }) },
      { image: 'postgres', variable: 'APP_PASSWORD', how: "'L0ngS3cur3P@ssw0rd'", env: () => ({ ...nodeEnv(), APP_PASSWORD: 'L0ngS3cur3P@ssw0rd' }) },
      { image: 'router', variable: 'APP_PASSWORD', how: "'postgrespass'", env: () => ({ ...routerEnv(), APP_PASSWORD: 'postgrespass' }) },
      { image: 'router', variable: 'APP_PASSWORD', how: 'missing', env: () => without(routerEnv(), 'APP_PASSWORD') },
      { image: 'router', variable: 'REPMGR_PASSWORD', how: "'repmgrpass'", env: () => ({ ...routerEnv(), REPMGR_PASSWORD: 'repmgrpass' }) },
    ] as const;

    it.concurrent.for(cases)('$image image: exits 64 naming $variable when it is $how', async (c) => {
      const env = c.env();
      const out = await startupOutcome(info.runId, info.images[c.image].ref, env, WATCH_MS);
      expect(out.exitCode, `exit code; log:\n${out.log}`).toBe(EXIT_REFUSED);
      expect(out.log).toContain(c.variable);
      // The refusal names the variable, never a secret it was given.
      const secrets = Object.entries(env).filter(([k, v]) => k.endsWith('_PASSWORD') && !KNOWN_DEFAULT_PASSWORDS.includes(v) && v);
      expect(leaks(out.log, secrets.map(([name, value]) => ({ name, value })))).toEqual([]);
    });

    it.concurrent.for(['postgres', 'router'] as const)('%s image: keeps running with strong passwords (the exits above are the passwords)', async (image) => {
      const out = await startupOutcome(info.runId, info.images[image].ref, image === 'postgres' ? nodeEnv() : routerEnv(), 4000);
      expect(out.exitCode, `exit code; log:\n${out.log}`).toBeNull();
    });
  });
});
