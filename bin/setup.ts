// `npm run setup`: makes a fresh machine ready for pgha (Docker engine; Node 24 came
// with `npm ci` on Linux x64, and scripts/require-node.mjs checked it before this ran).
import { ensureChromium, ensureDockerEngine } from '../fixtures/machine.ts';
import { note } from '../fixtures/progress.ts';
import { parseCli } from './cli.ts';

parseCli('pgha setup', 'usage: npm run setup   (makes sure a Docker engine answers, installing one on Debian as root)', process.argv.slice(2), {});

try {
  note(`node ${process.version}`);
  await ensureDockerEngine();
  // The chaos report's test opens its HTML page in a real headless browser.
  await ensureChromium();
  note('machine ready');
} catch (e) {
  console.error(`pgha setup: ${(e as Error).message}`);
  process.exit(2);
}
