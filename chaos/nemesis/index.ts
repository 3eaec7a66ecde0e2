export { createNemesis, FAULTS, type Nemesis, type FaultStep } from './nemesis.ts';
export type { Fault, FaultName, FaultTarget, NemesisContext } from './fault.ts';
export { CHAIN } from './iptables.ts';
