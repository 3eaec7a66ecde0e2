// What a person reads: the plan before anything changes, the summary after. Values of
// shared secrets and the registry password never reach these functions; per-service
// variables are references.
import type { Plan, ServiceStep } from './plan.ts';
import type { RolloutSummary } from './rollout.ts';

function serviceLines(s: ServiceStep, settleSeconds: number): string[] {
  if (s.unchanged) return [`${s.node}: unchanged (already on ${s.image}); its deployment must be ready: ${s.ready.line} logged, up ${settleSeconds} s`];
  const how = s.create ? 'serviceCreate (empty)' : `serviceInstanceUpdate (from ${s.previousImage ?? 'no image'})`;
  const settings = Object.entries(s.instance).map(([k, v]) => `${k} ${String(v)}`);
  return [
    `${s.node}: ${how} -> ${s.image}`,
    ...(s.note ? [`      ${s.note}`] : []),
    `      variables (variableCollectionUpsert, skipDeploys): ${Object.entries(s.variables).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    ...(s.volume ? [`      volumeCreate at ${s.volume.mountPath}`] : []),
    `      serviceInstanceUpdate: image, ${settings.join(', ')}`,
    `      serviceInstanceDeployV2; ready when deploymentLogs show ${s.ready.line} and it stays up ${settleSeconds} s;`,
    `      CRASHED/FAILED/REMOVED/SKIPPED/SLEEPING or a restart: ${s.previousImage ? `deploymentRollback to ${s.previousImage}` : 'nothing to roll back to'}, stop; NEEDS_APPROVAL/WAITING: stop`,
  ];
}

export function formatPlan(plan: Plan, settleSeconds: number): string {
  const lines = [`plan: ${plan.mode}, ${plan.steps.length} step(s), one at a time`];
  lines.push(plan.registryUser ? `registryCredentials: sent with every image change (username ${plan.registryUser}, password from REGISTRY_PASSWORD)` : 'registryCredentials: none (REGISTRY_USERNAME/PASSWORD unset: the registry must allow anonymous pulls)');
  plan.steps.forEach((s, i) => {
    const n = `${String(i + 1).padStart(2)}.`;
    if (s.kind === 'shared-variables') {
      lines.push(`${n} shared variables (variableCollectionUpsert, skipDeploys): ${s.names.map((x) => `${x}=<secret>`).join(' ')}`);
      return;
    }
    const [first, ...rest] = serviceLines(s, settleSeconds);
    lines.push(`${n} ${first}`, ...rest);
  });
  return lines.join('\n');
}

export function formatSummary(s: RolloutSummary): string {
  const lines = [`summary (${s.mode}):`];
  if (s.sharedVariablesSet.length) lines.push(`  shared variables set: ${s.sharedVariablesSet.join(', ')}`);
  for (const o of s.services) {
    if (o.result === 'unchanged') lines.push(`  ${o.node}: unchanged (${o.image}), ready`);
    else if (o.result === 'deployed') lines.push(`  ${o.node}: changed ${o.previousImage ?? '(new service)'} -> ${o.image}, ready`);
    else if (o.result === 'awaiting-approval') lines.push(`  ${o.node}: AWAITING APPROVAL (${o.status}) deploying ${o.image}`);
    else {
      lines.push(`  ${o.node}: FAILED (${o.status}: ${o.why}) deploying ${o.image}`);
      lines.push(o.rollback.image ? `  ${o.node}: rolled back to ${o.rollback.image} (${o.rollback.status})` : `  ${o.node}: ${o.rollback.status}`);
    }
  }
  lines.push(s.stopped ? `  stopped at ${s.stopped.at}: ${s.stopped.why}` : '  done');
  return lines.join('\n');
}
