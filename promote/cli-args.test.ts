// promote's flags, read by the entry points' one reader and checked here.
import { describe, expect, it } from 'vitest';
import { promoteArgs, UsageError } from './cli-args.ts';

describe('promote flags', () => {
  it('defaults: a dry run of pgha/postgres:local with pg-1 as the primary', () => {
    expect(promoteArgs([])).toEqual({ apply: false, primary: 'pg-1', postgresImage: 'pgha/postgres:local' });
  });
  it('reads every flag, as --flag value and --flag=value', () => {
    expect(promoteArgs(['--apply', '--proxy', 'proxysql', '--primary=pg-3', '--postgres-image', 'a:1', '--router-image=b:2'])).toEqual({
      apply: true,
      proxy: 'proxysql',
      primary: 'pg-3',
      postgresImage: 'a:1',
      routerImage: 'b:2',
    });
  });
  it('answers help to --help and -h, whatever else is given', () => {
    expect(promoteArgs(['--help'])).toBe('help');
    expect(promoteArgs(['--apply', '-h'])).toBe('help');
  });
  it.each([
    [['--aply'], /Unknown option '--aply'$/],
    [['--proxy'], /--proxy <value>' argument missing/],
    [['--proxy', 'auto'], /--proxy auto: use pgpool or proxysql/],
    [['--primary', 'pg-9'], /--primary needs a node name .* got pg-9/],
    [['--apply=yes'], /--apply' does not take an argument/],
    [['pg-2'], /Unexpected argument 'pg-2'/],
    [['--switchover-to', 'pg-2'], /--switchover-to is gone/],
    [['--postgres-image', '--apply'], /ambiguous/],
  ])('refuses %j with a UsageError saying what to fix', (argv, message) => {
    expect(() => promoteArgs(argv)).toThrow(UsageError);
    expect(() => promoteArgs(argv)).toThrow(message);
  });
});
