// A chaos run's verdicts as JUnit XML, one test case per invariant, for CI: a failed
// invariant is a failure naming the operation ids, an unsupported one is skipped.
import type { Verdict } from '../model/summary.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function junitXml(suite: string, verdicts: readonly Verdict[], seconds: number): string {
  const failures = verdicts.filter((v) => v.status === 'fail').length;
  const skipped = verdicts.filter((v) => v.status === 'unsupported').length;
  const cases = verdicts.map((v) => {
    const open = `    <testcase classname="${esc(suite)}" name="${esc(`${v.checker}: ${v.claim}`)}" time="0">`;
    if (v.status === 'fail') return `${open}\n      <failure message="${esc(v.summary)}">${esc(v.evidence.join('\n'))}</failure>\n    </testcase>`;
    if (v.status === 'unsupported') return `${open}\n      <skipped message="${esc(`unsupported: ${v.summary}`)}"/>\n    </testcase>`;
    return `${open}\n      <system-out>${esc(v.summary)}</system-out>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="pgha chaos" tests="${verdicts.length}" failures="${failures}" skipped="${skipped}" time="${seconds.toFixed(1)}">`,
    `  <testsuite name="${esc(suite)}" tests="${verdicts.length}" failures="${failures}" skipped="${skipped}" time="${seconds.toFixed(1)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
