// Entry point of `npm run promote`; the work is in promote.ts, with its effects injected.
import { imageExists, run } from '../fixtures/docker.ts';
import { promote } from '../promote/promote.ts';
import { pushVerified } from '../promote/registry.ts';

const code = await promote(process.argv.slice(2), {
  env: process.env,
  out: (s) => process.stdout.write(s + '\n'),
  err: (s) => process.stderr.write(s + '\n'),
  imageId: async (ref) => {
    if (!(await imageExists(ref))) return undefined;
    return (await run('docker', ['image', 'inspect', '--format', '{{.Id}}', ref])).stdout.trim() || undefined;
  },
  push: pushVerified,
});
process.exitCode = code;
