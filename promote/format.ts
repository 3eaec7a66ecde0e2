// What a person reads: the plan before anything changes, the summary after. Values of
// shared secrets never reach these functions; per-service variables are references.
import type { Plan } from './plan.ts';
import type { RolloutSummary } from './rollout.ts';

export function formatPlan(plan: Plan): string {
  const lines = [`plan: ${plan.mode}, ${plan.steps.length} step(s)`];
  plan.steps.forEach((s, i) => {
    const n = `${String(i + 1).padStart(2)}.`;
    if (s.kind === 'shared-variables') {
      lines.push(`${n} shared variables (variableCollectionUpsert, skipDeploys): ${s.names.map((x) => `${x}=<secret>`).join(' ')}`);
    } else if (s.kind === 'switchover') {
      lines.push(`${n} switchover ${s.from} -> ${s.to}: ${s.done ? 'done by the operator (--switchover-done)' : 'the rollout stops here; run it, then promote again with --switchover-done'}`);
      lines.push(`      ${s.command}`);
    } else if (s.unchanged) {
      lines.push(`${n} ${s.node}: unchanged (already on ${s.image})`);
    } else {
      const how = s.create ? 'serviceCreate' : `serviceInstanceUpdate (from ${s.previousImage ?? 'no image'})`;
      lines.push(`${n} ${s.node}: ${how} -> ${s.image}`);
      lines.push(`      variables: ${Object.entries(s.variables).map(([k, v]) => `${k}=${v}`).join(' ')}`);
      if (s.volume) lines.push(`      volumeCreate at ${s.volume.mountPath}`);
      lines.push('      serviceInstanceDeployV2, then wait for SUCCESS');
    }
  });
  return lines.join('\n');
}

export function formatSummary(s: RolloutSummary): string {
  const lines = [`summary (${s.mode}):`];
  if (s.sharedVariablesSet.length) lines.push(`  shared variables set: ${s.sharedVariablesSet.join(', ')}`);
  for (const o of s.services) {
    if (o.result === 'unchanged') lines.push(`  ${o.node}: unchanged (${o.image})`);
    else if (o.result === 'deployed') lines.push(`  ${o.node}: changed ${o.previousImage ?? '(new service)'} -> ${o.image}`);
    else {
      lines.push(`  ${o.node}: FAILED (${o.status}) deploying ${o.image}`);
      lines.push(o.rollback.image ? `  ${o.node}: rolled back to ${o.rollback.image} (${o.rollback.status})` : `  ${o.node}: ${o.rollback.status}`);
    }
  }
  if (s.pausedForSwitchover) {
    lines.push(`  paused before the switchover ${s.pausedForSwitchover.from} -> ${s.pausedForSwitchover.to}; run:`);
    lines.push(`    ${s.pausedForSwitchover.command}`);
  }
  if (s.stopped) lines.push(`  stopped at ${s.stopped.at}: ${s.stopped.why}`);
  else lines.push('  done');
  return lines.join('\n');
}
