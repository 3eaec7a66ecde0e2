// Durations as people type them: 90s, 5m, 2m30s, 1500ms, 1h.
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  const joined = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || joined !== text.trim()) {
    throw new Error(`bad duration "${text}": use e.g. 90s, 5m, 2m30s, 1500ms`);
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
  if (!(ms > 0)) throw new Error(`bad duration "${text}": must be more than 0`);
  return ms;
}
