// What the entry points that exit do with their arguments (fixtures/cli-args.ts reads them):
// --help or -h prints the usage and exits 0, a bad option prints it to stderr and exits 2.
import { readCli, type CliOptions, type CliValues } from '../fixtures/cli-args.ts';

export function usageExit(name: string, usage: string, message: string): never {
  process.stderr.write(`${name}: ${message}\n${usage}\n`);
  process.exit(2);
}

export function parseCli<O extends CliOptions>(name: string, usage: string, args: readonly string[], options: O): CliValues<O> {
  const read = readCli(args, options);
  if (read.kind === 'error') usageExit(name, usage, read.message);
  if (read.kind === 'help') {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return read.values;
}
