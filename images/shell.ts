// For the images' unit tests: call one function of a sourced shell library in bash on the
// host, with a controlled environment and nothing but PATH from this one.
import { spawnSync } from 'node:child_process';

/** Runs `fn args...` with `lib` sourced; stdin is `input`. */
export function callShell(lib: string, fn: string, args: readonly (string | number)[], input = '') {
  const r = spawnSync('bash', ['-c', 'source "$0" && "$@"', lib, fn, ...args.map(String)], {
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** What sourcing `lib` prints, and the variables it sets (a library of pure functions: none). */
export function sourcingSideEffects(lib: string) {
  const script = 'vars() { compgen -v | grep -vx -e before -e _ | sort; }; before=$(vars); source "$0"; diff <(echo "$before") <(vars)';
  const r = spawnSync('bash', ['-c', script, lib], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  return { code: r.status, out: r.stdout };
}
