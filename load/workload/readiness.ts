// When a load is ready: every one of its clients has had its first session. All clients
// connect at t=0, and on a starved machine the first sessions through pgpool took longer
// than the workload's connect timeout; those start-up failures say nothing about the
// healthy cluster, so the baseline is measured from this moment on, not from t=0.

export interface Readiness {
  /** The client opened a session (only its first one counts). */
  connected(client: string): void;
  /** Clock time the last client had its first session; undefined until then. */
  readyAt(): number | undefined;
  /** Clients still without a session, for a message when the load never got ready. */
  waiting(): string[];
  /** Resolves with readyAt once every client had a session. */
  readonly ready: Promise<number>;
}

export function createReadiness(clients: readonly string[], now: () => number): Readiness {
  if (clients.length === 0) throw new Error('a load without clients is never ready');
  const left = new Set(clients);
  let at: number | undefined;
  let resolve!: (t: number) => void;
  const ready = new Promise<number>((r) => (resolve = r));
  return {
    connected: (client) => {
      if (at !== undefined || !left.delete(client)) return;
      if (left.size === 0) {
        at = now();
        resolve(at);
      }
    },
    readyAt: () => at,
    waiting: () => [...left],
    ready,
  };
}

/**
 * The load's ready time, or why it never got there within `timeoutMs`: every load's own
 * readiness, the latest of them counting (the baseline starts when all of them are).
 */
export async function allReady(loads: readonly { name: string; ready: Promise<number>; waiting(): string[] }[], timeoutMs: number): Promise<{ at: number } | { error: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), timeoutMs)));
  try {
    const got = await Promise.race([Promise.all(loads.map((l) => l.ready)), late]);
    if (got === 'late') {
      const stuck = loads.filter((l) => l.waiting().length > 0).map((l) => `${l.name}: ${l.waiting().join(', ')}`);
      return { error: `not every client had a session within ${timeoutMs / 1000} s (still waiting: ${stuck.join('; ')})` };
    }
    return { at: Math.max(...got) };
  } finally {
    clearTimeout(timer);
  }
}
