import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/messages.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyses } from '../../src/analyses/index.ts';
import { checkGatePaths, CORE_KEYS, describeFailures, evaluateGates, FINAL_KEYS, parseGate, parseGates } from '../../src/report/gates.ts';

const summary = {
  final: { ece: 0.07, accuracy: 0.91, nll: null },
  outliers: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
  baselineGap: { against: 'logistic regression', accuracy: { gap: 0.015, lo: 0.004, hi: 0.026 } },
  checkpoints: [{ splits: { val: { accuracy: 0.5 } } }, { splits: { val: { accuracy: 0.9 } } }],
  flags: { leak: true },
  run: { name: 'x' },
};

const one = (expr: string) => evaluateGates([parseGate(expr)], summary)[0];
const userError = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
};

describe('parseGate', () => {
  it('reads path, operator and number, with or without spaces', () => {
    expect(parseGate('final.ece>0.05')).toEqual({ expr: 'final.ece>0.05', path: ['final', 'ece'], op: '>', threshold: 0.05 });
    expect(parseGate(' outliers.count >= 50 ')).toMatchObject({ path: ['outliers', 'count'], op: '>=', threshold: 50 });
    expect(parseGate('a.b<=-1e-3').threshold).toBe(-0.001);
    expect(parseGate('a!=.5')).toMatchObject({ op: '!=', threshold: 0.5 });
    expect(parseGate('checkpoints.1.splits.val.accuracy==0.9').path).toEqual(['checkpoints', '1', 'splits', 'val', 'accuracy']);
  });

  it('rejects malformed expressions with a message naming the expression (exit 2)', () => {
    for (const bad of ['final.ece', 'final.ece>', '>0.5', 'final.ece>>0.5', 'final.ece=0.5', 'final.ece>abc', 'final..ece>1', 'final.ece>0.5 and x<1', 'final.$x>1']) {
      expect(userError(() => parseGates([bad]))).toContain(`--fail-on "${bad}"`);
    }
  });
});

describe('evaluateGates', () => {
  it('fails a gate when its comparison is true, for every operator', () => {
    expect(one('final.ece>0.05').failed).toBe(true);
    expect(one('final.ece>0.1').failed).toBe(false);
    expect(one('final.ece>=0.07').failed).toBe(true);
    expect(one('final.accuracy<0.95').failed).toBe(true);
    expect(one('final.accuracy<=0.9').failed).toBe(false);
    expect(one('final.accuracy==0.91').failed).toBe(true);
    expect(one('final.accuracy!=0.91').failed).toBe(false);
  });

  it('counts arrays with .count / .length and indexes them with numbers', () => {
    expect(one('outliers.count>2')).toEqual({ expr: 'outliers.count>2', value: 3, failed: true });
    expect(one('outliers.length>3').failed).toBe(false);
    expect(one('checkpoints.0.splits.val.accuracy<0.6')).toMatchObject({ value: 0.5, failed: true });
  });

  it('compares the point estimate of an interval object, and booleans as 0/1', () => {
    expect(one('baselineGap.accuracy<0.02')).toMatchObject({ value: 0.015, failed: true });
    expect(one('baselineGap.accuracy.lo<0')).toMatchObject({ value: 0.004, failed: false });
    expect(one('flags.leak==1').failed).toBe(true);
  });

  it('fails a gate whose value is null (not computable), since it cannot be verified', () => {
    expect(one('final.nll>100')).toEqual({ expr: 'final.nll>100', value: null, failed: true });
    // Before summary.json is written NaN is still NaN: shown and stored as null all the same.
    expect(evaluateGates(parseGates(['final.ece>1']), { final: { ece: NaN } })).toEqual([{ expr: 'final.ece>1', value: null, failed: true }]);
  });

  it("fails a gate on the keys of a section that did not run, saying why, instead of calling the path unknown", () => {
    const notRun = new Map([['calibration', 'section calibration not applicable: one class']]);
    const [r] = evaluateGates(parseGates(['calibration.ece>0.05']), summary, notRun);
    expect(r).toEqual({ expr: 'calibration.ece>0.05', value: null, failed: true, note: 'section calibration not applicable: one class' });
    expect(describeFailures([r])).toContain('(value: null — not computable, so the gate cannot pass (section calibration not applicable: one class))');
    expect(userError(() => evaluateGates(parseGates(['calibration.ece>0.05']), summary))).toContain('no key "calibration"');
  });

  it('is a user error when the path does not exist or does not end at a number', () => {
    expect(userError(() => one('final.foo>1'))).toMatch(/--fail-on "final.foo>1".*no key "foo" under final \(keys: ece, accuracy, nll\)/);
    expect(userError(() => one('outliers>1'))).toContain('did you mean outliers.count?');
    expect(userError(() => one('outliers.7.loss>1'))).toContain('"7" on the array outliers of 3 element(s)');
    expect(userError(() => one('run.name>1'))).toContain('run.name is the string "x", not a number');
    expect(userError(() => one('run.name.first>1'))).toContain('which has no key "first"');
    expect(userError(() => one('baselineGap>1'))).toContain('an object');
  });

  it('lists the failed gates clearly', () => {
    const results = evaluateGates(parseGates(['final.ece>0.05', 'outliers.count>10', 'final.nll>1']), summary);
    expect(describeFailures(results)).toBe('2 of 3 --fail-on gate(s) failed:\n  ✗ final.ece>0.05  (value: 0.07)\n  ✗ final.nll>1  (value: null — not computable, so the gate cannot pass)\n');
  });
});

describe('checkGatePaths (before any scoring)', () => {
  const check = (expr: string) => checkGatePaths(parseGates([expr]), ['calibration', 'outlierIds', 'baselineGap']);
  it('accepts the keys summary.json can have', () => {
    for (const e of ['final.ece>0.05', 'calibration.ece>0.05', 'outlierIds.count>50', 'baselineGap.accuracy<0.02', 'checkpoints.0.splits.val.accuracy<0.5', 'dataset.n<10']) expect(() => check(e)).not.toThrow();
  });
  it('names an unknown first key or key of final, with the nearest known one', () => {
    expect(userError(() => check('baselinegap.accuracy<0.02'))).toMatch(/no key "baselinegap" in summary\.json \(did you mean "baselineGap"\?\)/);
    expect(userError(() => check('final.ecee>0.05'))).toMatch(/no key "ecee" under final \(keys: checkpoint, .*\) \(did you mean "ece"\?\)/);
    expect(userError(() => check('nothing.x>1'))).toMatch(/no key "nothing" in summary\.json$/);
  });
  it('refuses outliers.count, the top-K table whose length does not move, for outlierIds.count', () => {
    expect(userError(() => check('outliers.count>50'))).toContain('expected outlierIds.count for the number of flagged outliers');
    expect(userError(() => check('outliers.length>50'))).toContain('outlierIds.count');
    expect(() => check('outliers.0.loss>12')).not.toThrow();
  });
});

describe('the keys gates are checked against', () => {
  it('are exactly the keys of the example summary.json, where every section ran', () => {
    const example = JSON.parse(readFileSync(join(import.meta.dirname, '../../reports/mnist.json'), 'utf8'));
    expect(example.sections.every((x: { status: string }) => x.status === 'ok')).toBe(true);
    expect(analyses.every((a) => a.summaryKeys?.length)).toBe(true);
    expect([...new Set([...CORE_KEYS, ...analyses.flatMap((a) => a.summaryKeys!)])].sort()).toEqual(Object.keys(example).sort());
    expect(FINAL_KEYS).toEqual(Object.keys(example.final));
  });
});
