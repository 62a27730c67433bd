/**
 * `--fail-on` gates: small comparisons evaluated against summary.json, so CI can fail a build on
 * what the audit found. Grammar (whitespace around the operator is allowed):
 *
 *   gate    := path op number
 *   path    := segment ("." segment)*
 *   segment := name | index          name = [A-Za-z_][A-Za-z0-9_-]*, index = [0-9]+ (array element)
 *   op      := "<=" | ">=" | "==" | "!=" | "<" | ">"
 *   number  := [-+]? digits ["." digits] [("e"|"E") [-+]? digits]   (also ".5")
 *
 * On an array, the segment `count` (or `length`) is the number of elements: `outlierIds.count`.
 * A path ending at an interval object (`{ estimate | gap | value, lo, hi }`) compares its point
 * estimate: `baselineGap.accuracy<0.02`.
 * A gate *fails* when its comparison is true ("fail on ece > 0.05"). A path that does not exist or
 * does not end at a number is a user error (exit 2) naming the expression; a path ending at null
 * (a metric that could not be computed, e.g. NaN) fails the gate, since it cannot be verified.
 * The first key (and `final`'s keys) are checked before any scoring (`checkGatePaths`), and a key
 * that only a section which did not run would have written is null too: the same gate must not be a
 * typo in one run and a failure in the next.
 */
import { editDistance } from '../edit-distance.ts';
import { InputError } from '../messages.ts';

export type GateOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface Gate {
  expr: string;
  path: string[];
  op: GateOp;
  threshold: number;
}

export interface GateResult {
  /** The expression as written (trimmed). */
  expr: string;
  /** The value found at the path; null when it was null or NaN (not computable). */
  value: number | null;
  /** True when the comparison held, i.e. the build should fail. */
  failed: boolean;
  /** Why the value is null when its section did not run (e.g. "section baselines not applicable: …"). */
  note?: string;
}

/** Top-level summary.json keys written whatever the sections (report/build.ts). */
export const CORE_KEYS = ['schemaVersion', 'tool', 'run', 'dataset', 'checkpoints', 'final', 'perClass', 'confusion', 'outliers', 'baselines', 'warnings', 'verdicts', 'gates', 'sections'];
/** The keys of summary.json's `final`. */
export const FINAL_KEYS = ['checkpoint', 'split', 'n', 'accuracy', 'macroF1', 'nll', 'brier', 'ece', 'mce'];

const GATE_RE = /^\s*([A-Za-z0-9_.-]+?)\s*(<=|>=|==|!=|<|>)\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;
const SEGMENT_RE = /^(?:[A-Za-z_][A-Za-z0-9_-]*|\d+)$/;

export const GATE_HELP = 'path op number, e.g. "final.ece>0.05" or "outlierIds.count>=50" (op: < <= > >= == !=)';

/** Parse one expression; throws InputError naming it when it does not follow the grammar. */
export function parseGate(expr: string): Gate {
  const where = `--fail-on "${expr}"`;
  const m = GATE_RE.exec(expr);
  if (!m) throw new InputError(where, GATE_HELP, 'an expression that does not match');
  const path = m[1].split('.');
  const bad = path.find((s) => !SEGMENT_RE.test(s));
  if (bad !== undefined) throw new InputError(where, `${GATE_HELP}; path segments are names or array indices`, bad === '' ? 'an empty path segment' : `the segment "${bad}"`);
  return { expr: expr.trim(), path, op: m[2] as GateOp, threshold: Number(m[3]) };
}

export function parseGates(exprs: readonly string[]): Gate[] {
  return exprs.map(parseGate);
}

/**
 * Before any work: each gate's first key must be one summary.json can have (`sectionKeys`: the
 * keys the analyses declare), a key of `final` one it has, and `outliers.count` — the top-K table,
 * whose length is always analysis.topK on a large run — is refused for `outlierIds.count`.
 */
export function checkGatePaths(gates: readonly Gate[], sectionKeys: readonly string[]): void {
  const known = [...CORE_KEYS, ...sectionKeys];
  for (const gate of gates) {
    const [top, next] = gate.path;
    if (!known.includes(top)) throw unknown(gate, `no key "${top}" in summary.json${nearest(top, known)}`);
    if (top === 'final' && next !== undefined && !FINAL_KEYS.includes(next)) throw unknown(gate, `no key "${next}" under final (keys: ${FINAL_KEYS.join(', ')})${nearest(next, FINAL_KEYS)}`);
    if (top === 'outliers' && (next === 'count' || next === 'length')) {
      throw new InputError(`--fail-on "${gate.expr}"`, 'outlierIds.count for the number of flagged outliers', 'outliers.count, the length of the top-K highest-loss table (analysis.topK rows whatever was flagged)');
    }
  }
}

function nearest(key: string, keys: readonly string[]): string {
  const near = keys.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  return near ? ` (did you mean "${near}"?)` : '';
}

/** Look the path up in a summary; throws InputError (exit 2) when it does not lead to a number or null. */
export function resolvePath(summary: unknown, gate: Gate): number | null {
  let cur: unknown = summary;
  for (let i = 0; i < gate.path.length; i++) {
    const seg = gate.path[i];
    const at = gate.path.slice(0, i).join('.') || '(top level)';
    if (Array.isArray(cur)) {
      if (seg === 'count' || seg === 'length') cur = cur.length;
      else if (/^\d+$/.test(seg) && Number(seg) < cur.length) cur = cur[Number(seg)];
      else throw unknown(gate, `"${seg}" on the array ${at} of ${cur.length} element(s) (use an index below ${cur.length}, or count)`);
    } else if (cur !== null && typeof cur === 'object' && Object.hasOwn(cur, seg)) {
      cur = (cur as Record<string, unknown>)[seg];
    } else if (cur !== null && typeof cur === 'object') {
      const keys = Object.keys(cur);
      throw unknown(gate, `no key "${seg}" under ${at} (keys: ${keys.slice(0, 20).join(', ')}${keys.length > 20 ? ', …' : ''})`);
    } else {
      throw unknown(gate, `${at} is ${describe(cur)}, which has no key "${seg}"`);
    }
  }
  if (cur === null) return null;
  if (typeof cur === 'number') return cur;
  const point = pointEstimate(cur);
  if (point !== undefined) return point;
  if (typeof cur === 'boolean') return cur ? 1 : 0;
  throw unknown(gate, `${gate.path.join('.')} is ${describe(cur)}, not a number${Array.isArray(cur) ? ` (did you mean ${gate.path.join('.')}.count?)` : ''}`);
}

/**
 * An interval object such as `{ gap, lo, hi }` or `{ estimate, lo, hi }` stands for its point
 * estimate, so `baselineGap.accuracy<0.02` works without spelling out `.gap`. Undefined otherwise.
 */
export function pointEstimate(v: unknown): number | null | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !('lo' in v) || !('hi' in v)) return undefined;
  for (const k of ['estimate', 'gap', 'value', 'mean']) {
    const x = (v as Record<string, unknown>)[k];
    if (typeof x === 'number' || x === null) return x;
  }
  return undefined;
}

export function compare(value: number, op: GateOp, threshold: number): boolean {
  switch (op) {
    case '<': return value < threshold;
    case '<=': return value <= threshold;
    case '>': return value > threshold;
    case '>=': return value >= threshold;
    case '==': return value === threshold;
    case '!=': return value !== threshold;
  }
}

/**
 * Evaluate every gate against a summary (as built for summary.json, NaN not yet written as null).
 * `notRun` maps a top-level key to why no section wrote it (its section was not applicable or
 * failed): a gate under it is null, so it fails with that reason.
 */
export function evaluateGates(gates: readonly Gate[], summary: Record<string, unknown>, notRun: ReadonlyMap<string, string> = new Map()): GateResult[] {
  return gates.map((g) => {
    const note = Object.hasOwn(summary, g.path[0]) ? undefined : notRun.get(g.path[0]);
    if (note !== undefined) return { expr: g.expr, value: null, failed: true, note };
    const found = resolvePath(summary, g);
    const value = found === null || Number.isNaN(found) ? null : found;
    return { expr: g.expr, value, failed: value === null ? true : compare(value, g.op, g.threshold) };
  });
}

/** The lines printed to stderr when gates fail. */
export function describeFailures(results: readonly GateResult[]): string {
  const failed = results.filter((r) => r.failed);
  const lines = failed.map((r) => `  ✗ ${r.expr}  (value: ${gateValueText(r)})`);
  return `${failed.length} of ${results.length} --fail-on gate(s) failed:\n${lines.join('\n')}\n`;
}

/** A gate's value as shown (stderr, Markdown, the report), with why it is null when its section did not run. */
export function gateValueText(r: Pick<GateResult, 'value' | 'note'>): string {
  return r.note ? `${formatGateValue(r.value)} (${r.note})` : formatGateValue(r.value);
}

export function formatGateValue(v: number | null): string {
  if (v === null) return 'null — not computable, so the gate cannot pass';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

function unknown(gate: Gate, found: string): InputError {
  return new InputError(`--fail-on "${gate.expr}"`, 'a path to a number in summary.json (e.g. final.ece, outlierIds.count)', found);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 39)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}
