/** The op × backend support matrix: what each test of the suite found, summed per op. */
import type { DeviceTolerance } from '@tensorgrad/core';

/** How one test ended. */
export type Outcome = 'pass' | 'fail' | 'skip';

/** Outcomes of one backend's run, per op (or program), in the order first seen. */
export class SupportMatrix {
  private readonly rows = new Map<string, { pass: number; fail: number; skip: number; failed: string[] }>();

  constructor(readonly backend: string) {}

  /** Note the outcome of test `name` of `op`. */
  record(op: string, name: string, outcome: Outcome): void {
    let row = this.rows.get(op);
    if (!row) this.rows.set(op, (row = { pass: 0, fail: 0, skip: 0, failed: [] }));
    row[outcome]++;
    if (outcome === 'fail') row.failed.push(name);
  }

  /** Totals over every op. */
  totals(): { pass: number; fail: number; skip: number } {
    const t = { pass: 0, fail: 0, skip: 0 };
    for (const r of this.rows.values()) {
      t.pass += r.pass;
      t.fail += r.fail;
      t.skip += r.skip;
    }
    return t;
  }

  /**
   * The matrix as a text table: one row per op, a column for this backend saying `pass`,
   * `fail` (with the failing tests) or `skipped`, and pass/fail/skip counts; then the tolerances
   * the backend declared for its device, if any.
   */
  format(tolerance?: Readonly<Record<string, DeviceTolerance>>): string {
    const lines: [string, string, string][] = [];
    for (const [op, r] of this.rows) {
      const n = r.pass + r.fail + r.skip;
      const status =
        r.fail > 0 ? `FAIL ${r.fail}/${n}` : r.skip === n ? 'skipped' : r.skip > 0 ? `pass (${r.skip} skipped)` : 'pass';
      lines.push([op, status, r.fail > 0 ? r.failed.join(', ') : '']);
    }
    const w0 = Math.max(2, ...lines.map((l) => l[0].length));
    const w1 = Math.max(this.backend.length, ...lines.map((l) => l[1].length));
    const t = this.totals();
    const out = [
      `tensorgrad conformance: op × backend support matrix`,
      `${'op'.padEnd(w0)} | ${this.backend.padEnd(w1)} | failing tests`,
      `${'-'.repeat(w0)}-+-${'-'.repeat(w1)}-+-${'-'.repeat(13)}`,
      ...lines.map(([op, s, f]) => `${op.padEnd(w0)} | ${s.padEnd(w1)} | ${f}`),
      `${t.pass} passed, ${t.fail} failed, ${t.skip} skipped`,
    ];
    const declared = Object.entries(tolerance ?? {});
    if (declared.length > 0) {
      out.push(`device tolerances declared by ${this.backend} (in place of the suite's default for these ops):`);
      for (const [op, d] of declared) out.push(`  ${op}: atol ${d.atol}${d.rtol !== undefined ? `, rtol ${d.rtol}` : ''} (${d.reason})`);
    }
    return out.join('\n');
  }
}
