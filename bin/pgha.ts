#!/usr/bin/env node
// pgha: boot, inspect and remove the cluster from a terminal; lint a cluster config.
//   pgha up [--proxy auto|pgpool|proxysql] [--json]   boot and leave it running
//   pgha status                                       repmgr's view and each node's role
//   pgha down [--all]                                 remove what pgha started
//   pgha switchover --to <node> [--run <id>]          planned switchover, without SSH
//   pgha lint [--modelled]                            check a config against its claims
import { startCluster } from '../cluster/boot.ts';
import { multiHostUrl, type ClusterInfo } from '../cluster/info.ts';
import { execIn, requireDocker } from '../fixtures/docker.ts';
import { removeRuns, sweepStaleRuns } from '../fixtures/reaper.ts';
import { listClusters } from '../fixtures/runs.ts';
import { TOPOLOGY, APP_DATABASE, APP_USER, isNodeName, node } from '../model/topology.ts';
import { runningClusterInfo } from '../cluster/attach.ts';
import { switchover } from '../cluster/switchover.ts';
import { writablePrimary } from '../cluster/observe.ts';
import type { ProxyChoice } from '../fixtures/images.ts';
import { proxyChoice } from '../fixtures/proxy-choice.ts';
import { MODELLED_CLUSTER_SETTINGS, PGHA_DEFAULT_SETTINGS } from '../config/lint/clusters.ts';
import { formatFindings, lintCluster } from '../config/lint/lint.ts';
import { passwordsFromEnv } from '../config/lint/passwords.ts';
import { parseCli } from './cli.ts';

/** Each command's arguments and job: `pgha <command> --help` prints its own, `pgha --help` all. */
const COMMANDS = {
  up: ['[--proxy auto|pgpool|proxysql] [--json]', 'boot the seven-container cluster and leave it running (Ctrl-C before it has formed removes it)'],
  status: ['', "repmgr's view and each node's role, per running cluster"],
  down: ['[--all]', "remove the clusters 'up' left (and stale ones); --all: also running tests' clusters"],
  switchover: ['--to <pg-N> [--run <id>]', 'planned switchover of a running cluster to a standby'],
  lint: ['[--modelled]', 'check the cluster config (ours, or the modelled one) against its claims'],
} as const satisfies Record<string, readonly [args: string, what: string]>;
type Command = keyof typeof COMMANDS;

const USAGE = `usage: pgha <command>\n${Object.entries(COMMANDS).map(([c, [args, what]]) => `  ${`${c} ${args}`.padEnd(45)}${what}`).join('\n')}`;
const commandUsage = (c: Command) => `usage: pgha ${c} ${COMMANDS[c][0]}`.trimEnd() + `\n  ${COMMANDS[c][1]}`;

/** The shared strict parser (bin/cli.ts): --help/-h exits 0 with the command's usage, a bad option 2. */
const parse = <O extends Parameters<typeof parseCli>[3]>(c: Command, args: string[], options: O) => parseCli(`pgha ${c}`, commandUsage(c), args, options);

class UsageError extends Error {}

function upSummary(info: ClusterInfo) {
  return {
    runId: info.runId,
    proxyFlavor: info.flavor,
    bootSeconds: Number(info.bootSeconds.toFixed(1)),
    nodes: TOPOLOGY.map((n) => ({ name: n.name, kind: n.kind, host: info.nodes[n.name]?.host, port: info.nodes[n.name]?.port })),
    url: multiHostUrl(info, APP_USER, info.secrets.app, APP_DATABASE),
    passwords: { app: info.secrets.app, postgres: info.secrets.postgres, repmgr: info.secrets.repmgr },
  };
}

async function up(args: string[]): Promise<void> {
  const values = parse('up', args, { proxy: { type: 'string' }, json: { type: 'boolean', default: false } });
  let proxy: ProxyChoice;
  try {
    proxy = proxyChoice(values.proxy);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  await requireDocker();
  const cluster = await startCluster({ proxy, keep: true });
  const s = upSummary(cluster.info);
  if (values.json) {
    console.log(JSON.stringify(s, null, 2));
    return;
  }
  console.log(`cluster ${s.runId} formed in ${s.bootSeconds} s, routers: ${s.proxyFlavor}`);
  for (const n of s.nodes) console.log(`  ${n.name.padEnd(11)} ${n.kind.padEnd(9)} ${n.host}:${n.port}`);
  console.log(`connect: psql '${s.url}'`);
  console.log('remove it with: npx pgha down');
}

async function status(args: string[]): Promise<void> {
  parse('status', args, {});
  await requireDocker();
  const clusters = await listClusters();
  if (clusters.length === 0) {
    console.log('no pgha cluster is running (start one with: npx pgha up)');
    return;
  }
  for (const c of clusters) {
    const owner = c.kept ? '' : c.stale ? ' (never formed, its process is gone: the next start or `pgha down` removes it)' : ' (owned by a running process)';
    console.log(`cluster ${c.runId}${owner}`);
    const order = (n: { name: string }) => TOPOLOGY.findIndex((t) => t.name === n.name);
    for (const n of c.nodes.toSorted((a, b) => order(a) - order(b))) {
      let role = n.state;
      if (n.state === 'running' && (n.name.startsWith('pg-') || n.name === 'witness')) {
        const r = await execIn(n.containerId, ['psql', '-XAtq', '-c', "SELECT CASE WHEN pg_is_in_recovery() THEN 'standby' ELSE 'primary' END"], 'postgres');
        role = r.exitCode === 0 ? r.stdout.trim() : 'not answering';
        if (n.name === 'witness' && r.exitCode === 0) role = 'witness';
      }
      console.log(`  ${n.name.padEnd(11)} ${role.padEnd(14)} ${n.hostPort ? `127.0.0.1:${n.hostPort}` : ''}`);
    }
    const probe = c.nodes.find((n) => n.state === 'running' && n.name.startsWith('pg-'));
    if (probe) {
      const show = await execIn(probe.containerId, ['repmgr', '-f', '/etc/pgha/repmgr.conf', 'cluster', 'show'], 'postgres');
      console.log(show.stdout.trimEnd());
    }
  }
}

// A cluster that a running test process owns is left alone unless --all: removing it
// would fail that run for no reason. Stale runs (owner gone) always go.
async function down(args: string[]): Promise<void> {
  const values = parse('down', args, { all: { type: 'boolean', default: false } });
  await requireDocker();
  await sweepStaleRuns();
  const clusters = await listClusters();
  const runs = new Set(clusters.filter((c) => values.all || c.kept).map((c) => c.runId));
  const removed = runs.size ? await removeRuns(runs) : 0;
  console.log(removed ? `removed ${removed} container(s)/network(s) of ${runs.size} cluster(s)` : 'nothing to remove');
  const spared = clusters.filter((c) => !runs.has(c.runId));
  if (spared.length) console.log(`left ${spared.length} cluster(s) owned by running test processes (remove them too with --all)`);
}

async function switchoverCommand(args: string[]): Promise<void> {
  const values = parse('switchover', args, { to: { type: 'string' }, run: { type: 'string' } });
  if (!values.to || !isNodeName(values.to) || node(values.to).kind !== 'postgres') throw new UsageError('switchover needs --to pg-1|pg-2|pg-3|pg-4');
  await requireDocker();
  const clusters = await listClusters();
  const runId = values.run ?? (clusters.length === 1 ? clusters[0]!.runId : undefined);
  if (!runId) throw new UsageError(clusters.length ? `several clusters run: name one with --run (${clusters.map((c) => c.runId).join(', ')})` : 'no pgha cluster is running');
  const info = await runningClusterInfo(runId);
  const from = await writablePrimary(info);
  if (!from) throw new Error('no single writable primary now: fix the cluster before a switchover');
  const t = await switchover(info, from, values.to);
  console.log(`switched over ${from} -> ${values.to}: writes stopped for ${t.writeOutageSeconds.toFixed(1)} s, formed again after ${t.totalSeconds.toFixed(1)} s`);
}

function lint(args: string[]): number {
  const values = parse('lint', args, { modelled: { type: 'boolean', default: false } });
  const settings = values.modelled ? MODELLED_CLUSTER_SETTINGS : { ...PGHA_DEFAULT_SETTINGS, passwords: passwordsFromEnv(process.env) };
  const findings = lintCluster(settings);
  console.log(`${settings.name}:`);
  console.log(formatFindings(findings));
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case '--help':
    case '-h':
    case 'help':
      console.log(USAGE);
      return 0;
    case 'up':
      await up(rest);
      return 0;
    case 'status':
      await status(rest);
      return 0;
    case 'down':
      await down(rest);
      return 0;
    case 'switchover':
      await switchoverCommand(rest);
      return 0;
    case 'lint':
      return lint(rest);
    default:
      throw new UsageError(command ? `unknown command: ${command}` : 'no command given');
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    console.error(`pgha: ${e.message}\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(`pgha: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
