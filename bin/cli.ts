// What every entry point does with its arguments: Node's parseArgs, strict; --help or -h
// prints the usage and exits 0, a bad option prints it to stderr and exits 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export function usageExit(name: string, usage: string, message: string): never {
  process.stderr.write(`${name}: ${message}\n${usage}\n`);
  process.exit(2);
}

export function parseCli<O extends Options>(name: string, usage: string, args: readonly string[], options: O) {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (e) {
    usageExit(name, usage, (e as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return values as ReturnType<typeof parseArgs<{ options: O; strict: true }>>['values'];
}
