// Rule family (f): no routing rule may be shadowed by an earlier one, so statements route
// as the proxy contract says.
import { ROUTING_CASES, toJsRegExp, type RoutingRule } from '../../model/proxy-contract.ts';
import { CLAIM_WORDING, type Finding } from './settings.ts';

/**
 * Statements that stand for each class a rule may target. Shadowing is judged on examples,
 * not proven on the regular expressions: a later rule counts as shadowed when every example
 * it matches is already taken by an earlier rule, so it never decides a route.
 *  - Detects: a general rule placed before a specific one (`^select` before `select ... for
 *    update`), duplicates, and any earlier rule (or group of earlier rules) covering a later
 *    one on every example.
 *  - Cannot detect: shadowing on statements the corpus lacks (add them via routingExamples),
 *    or partial overlap (an earlier rule stealing some, not all, of a later rule's statements).
 *  - May wrongly flag: a later rule whose distinct statements are all missing from the corpus.
 */
export const ROUTING_EXAMPLE_CORPUS: readonly string[] = [
  ...ROUTING_CASES.map((c) => c.sql),
  'SELECT 1',
  'select * from accounts where id = $1',
  '\n\tSELECT now()',
  '/* a */ /* b */ select 1',
  'SELECT * FROM accounts WHERE id = 1 FOR UPDATE',
  'SELECT * FROM accounts WHERE id = 1 FOR UPDATE SKIP LOCKED',
  'select * from accounts for share',
  'SELECT * FROM accounts FOR NO KEY UPDATE',
  'SELECT * FROM accounts FOR KEY SHARE',
  'WITH x AS (SELECT 1) SELECT * FROM x',
  'INSERT INTO accounts(id) VALUES (1)',
  'UPDATE accounts SET balance = 0 WHERE id = 1',
  'DELETE FROM accounts WHERE id = 1',
  'BEGIN',
  'COMMIT',
  'CREATE TABLE t (id int)',
  'ALTER TABLE t ADD COLUMN b int',
  'DROP TABLE t',
  'TRUNCATE t',
  'CALL refresh_totals()',
  'SHOW server_version',
  "SET application_name = 'x'",
  'EXPLAIN SELECT 1',
  'VALUES (1)',
];

export function checkRoutingShadows(rules: readonly RoutingRule[], extra: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  const corpus = [...ROUTING_EXAMPLE_CORPUS, ...extra];
  const compiled: Array<RegExp | null> = rules.map((r) => {
    try {
      return toJsRegExp(r.pattern);
    } catch {
      findings.push({ id: 'routing-rule-invalid', severity: 'error', claim: CLAIM_WORDING.routing, message: `rule '${r.id}' has an invalid pattern: ${r.pattern}` });
      return null;
    }
  });
  rules.forEach((rule, j) => {
    const re = compiled[j];
    if (!re) return;
    const examples = corpus.filter((sql) => re.test(sql));
    if (examples.length === 0) {
      findings.push({ id: 'routing-rule-unchecked', severity: 'warning', claim: CLAIM_WORDING.routing, message: `no example statement matches rule '${rule.id}': add one to routingExamples so shadowing can be checked` });
      return;
    }
    const takenBy = examples.map((sql) => rules.findIndex((_, i) => i < j && compiled[i]?.test(sql)));
    if (takenBy.some((i) => i < 0)) return; // this rule decides at least one example
    const earlier = [...new Set(takenBy)].map((i) => rules[i]!);
    // Dead but harmless when one earlier rule with the same destination already takes every
    // example (a duplicate); otherwise the later rule's intent is lost.
    const misrouted = !rules.some(
      (e, i) => i < j && e.destination === rule.destination && examples.every((sql) => compiled[i]?.test(sql)),
    );
    findings.push({
      id: 'routing-rule-shadowed',
      severity: misrouted ? 'error' : 'warning',
      claim: CLAIM_WORDING.routing,
      message:
        `rule '${rule.id}' (to ${rule.destination}) never wins: every statement it matches is taken first by ` +
        earlier.map((e) => `'${e.id}' (to ${e.destination})`).join(', ') +
        (misrouted ? ': those statements go to the wrong place. Move it before them' : ': it is dead; remove it or move it up'),
    });
  });
  return findings;
}
