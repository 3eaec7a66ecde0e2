// The named scenarios: each builds a schedule from a seeded PRNG and a duration. Same
// seed, same duration: same schedule.
import type { FaultName } from '../nemesis/index.ts';
import { between, pick, seeded, type Rng } from './prng.ts';
import type { Schedule, ScheduledFault } from './schedule.ts';

export interface Scenario {
  name: string;
  claim: string;
  defaultDurationMs: number;
  steps(rng: Rng, durationMs: number): ScheduledFault[];
}

/** The healthy stretch before the first fault: the baseline every phase is compared with. */
const warmup = (d: number) => Math.min(15_000, Math.max(5_000, d * 0.15));
/** Time left after the last heal for clients to come back and be seen doing so. */
const cooldown = (d: number) => Math.min(20_000, Math.max(10_000, d * 0.2));

const single = (fault: FaultName, target: (rng: Rng) => ScheduledFault['target'], others?: ScheduledFault['others']) =>
  (rng: Rng, d: number): ScheduledFault[] => {
    const at = warmup(d) + between(rng, 0, 2000);
    return [{ at, fault, target: target(rng), ...(others ? { others } : {}), holdMs: Math.max(5_000, d - at - cooldown(d)) }];
  };

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'kill-primary',
    claim: 'a killed primary is replaced and clients write again within 30 s, losing no acknowledged write',
    defaultDurationMs: 60_000,
    steps: single('kill', () => ({ role: 'primary' })),
  },
  {
    name: 'kill-proxy',
    claim: 'with one router killed, clients carry on through the other',
    defaultDurationMs: 45_000,
    steps: single('kill', (rng) => ({ role: 'router', pick: rng() })),
  },
  {
    name: 'kill-witness',
    claim: 'losing the witness disturbs no client',
    defaultDurationMs: 45_000,
    steps: single('kill', () => ({ role: 'node', name: 'witness' })),
  },
  {
    name: 'partition-primary',
    claim: 'a primary cut off from every peer is replaced, and is never a second writable primary',
    defaultDurationMs: 75_000,
    steps: single('partition', () => ({ role: 'primary' }), 'rest'),
  },
  {
    // Every check fails at once on both sides, so the old primary's fence and the
    // standbys' election start together: the promotion lead alone keeps them apart.
    name: 'refuse-primary',
    claim: 'a primary whose links to every peer refuse at once (the fence\'s tightest race) is replaced, and is never a second writable primary',
    defaultDurationMs: 75_000,
    steps: (rng, d) => single('partition', () => ({ role: 'primary' }), 'rest')(rng, d).map((s) => ({ ...s, refuse: true })),
  },
  {
    name: 'isolate-standby',
    claim: 'a standby cut off from every peer disturbs no client and catches up after',
    defaultDurationMs: 60_000,
    steps: single('partition', (rng) => ({ role: 'standby', pick: rng() }), 'rest'),
  },
  {
    name: 'flapping-primary',
    claim: 'primaries killed one after another are each replaced within the budget',
    defaultDurationMs: 150_000,
    steps: (rng, d) => {
      const out: ScheduledFault[] = [];
      for (let at = warmup(d); at + 15_000 <= d - cooldown(d); at += between(rng, 35_000, 45_000)) {
        out.push({ at, fault: 'kill', target: { role: 'primary' }, holdMs: between(rng, 8_000, 15_000) });
      }
      return out;
    },
  },
  {
    name: 'rolling-restart',
    claim: 'restarting every data node in turn (the primary last) keeps clients writing',
    defaultDurationMs: 150_000,
    steps: (_rng, d) => {
      const gap = Math.max(15_000, (d - warmup(d) - cooldown(d)) / 4);
      const names = ['standby', 'standby', 'standby'] as const;
      const out: ScheduledFault[] = names.map((_, i) => ({ at: warmup(d) + i * gap, fault: 'restart', target: { role: 'standby', pick: i / 3 }, holdMs: 1_000 }));
      out.push({ at: warmup(d) + 3 * gap, fault: 'restart', target: { role: 'primary' }, holdMs: 1_000 });
      return out;
    },
  },
  {
    name: 'random',
    claim: 'any mix of faults, healed in turn, leaves no acknowledged write lost and one primary at a time',
    defaultDurationMs: 300_000,
    steps: (rng, d) => {
      const out: ScheduledFault[] = [];
      const menu: FaultName[] = ['kill', 'stop', 'pause', 'restart', 'partition', 'packet-loss', 'latency'];
      let at = warmup(d);
      while (at < d - cooldown(d) - 10_000) {
        const fault = pick(rng, menu);
        const target = pick(rng, [{ role: 'primary' } as const, { role: 'standby', pick: rng() } as const, { role: 'router', pick: rng() } as const, { role: 'node', name: 'witness' } as const]);
        const holdMs = between(rng, 5_000, 20_000);
        const link = fault === 'partition' || fault === 'packet-loss' || fault === 'latency';
        out.push({
          at,
          fault,
          target,
          holdMs,
          ...(link ? { others: 'rest' as const } : {}),
          ...(fault === 'packet-loss' ? { probability: Math.round((0.1 + rng() * 0.4) * 100) / 100 } : {}),
          ...(fault === 'latency' ? { delayMs: between(rng, 50, 300) } : {}),
        });
        at += holdMs + between(rng, 15_000, 30_000);
      }
      return out;
    },
  },
  {
    // No faults at all: steady load for the whole run. It proves the failure detection
    // is not too eager (no promotion under load alone) and gives the baseline numbers
    // every fault scenario is compared with. Nightly, 10 minutes.
    name: 'soak',
    claim: 'steady load and no faults: no promotion, no role or timeline change, no acknowledged write lost',
    defaultDurationMs: 600_000,
    steps: () => [],
  },
  {
    // CI-sized: one primary kill and one router kill, about a minute of load.
    name: 'smoke',
    claim: 'a killed primary and then a killed router: clients write again within 30 s, no acknowledged write lost',
    defaultDurationMs: 60_000,
    steps: (rng) => [
      { at: 10_000, fault: 'kill', target: { role: 'primary' }, holdMs: 15_000 },
      { at: 35_000, fault: 'kill', target: { role: 'router', pick: rng() }, holdMs: 10_000 },
    ],
  },
];

export const scenarioNames = (): string[] => SCENARIOS.map((s) => s.name);

export function scenario(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`unknown scenario "${name}": use one of ${scenarioNames().join(', ')}`);
  return s;
}

export function buildSchedule(name: string, seed: number, durationMs?: number): Schedule {
  const s = scenario(name);
  const d = durationMs ?? s.defaultDurationMs;
  return { scenario: name, seed, durationMs: d, steps: s.steps(seeded(seed), d).filter((x) => x.at < d) };
}
