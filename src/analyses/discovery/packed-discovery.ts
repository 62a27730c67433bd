/**
 * The detectors' result as it crosses from the worker thread (detect.ts startDiscovery): each
 * split's label issues as typed columns, the merged ranking as positions into them. A poor model
 * makes most examined records candidates, and structured cloning 180 000 issue objects took ~0.4 s
 * on each side of the post (a random model at a million records has two such splits); typed arrays
 * are copied as bytes. Unpacking gives the same values, the ranking made of the splits' objects.
 */
import type { LabelIssue } from './confident-learning.ts';
import type { Discovery, LabelIssueScope } from './detect.ts';
import type { LossOutliers } from './loss-outliers.ts';

/** The columns of a list of label issues (LabelIssue's fields), as they cross between threads. */
interface IssueColumns {
  index: Int32Array;
  given: Int32Array;
  suggested: Int32Array;
  selfConfidence: Float64Array;
  suggestedConfidence: Float64Array;
  margin: Float64Array;
}

/** A Discovery as the worker thread posts it. */
export interface PackedDiscovery {
  outliers: LossOutliers;
  labelIssues: Omit<LabelIssueScope, 'perSplit' | 'issues'> & {
    perSplit: { split: string; rows: number; thresholds: Float64Array; support: Int32Array; issues: IssueColumns }[];
    /** issues[r] is the order[r]-th issue of the splits' lists one after another. */
    order: Int32Array;
  };
}

export function packDiscovery(d: Discovery): PackedDiscovery {
  const { perSplit, issues, ...rest } = d.labelIssues;
  return {
    outliers: d.outliers,
    labelIssues: {
      ...rest,
      perSplit: perSplit.map((p) => ({ split: p.split, rows: p.rows, thresholds: p.result.thresholds, support: p.result.support, issues: issueColumns(p.result.issues) })),
      order: positionsOf(issues, perSplit.map((p) => p.result.issues)),
    },
  };
}

/**
 * Where each of `issues` is in `lists` one after another. The ranking merges the lists (each is in
 * ranking order), so each next issue is the next unused one of some list.
 */
function positionsOf(issues: LabelIssue[], lists: LabelIssue[][]): Int32Array {
  const next = lists.map(() => 0);
  const start = lists.map((_, s) => lists.slice(0, s).reduce((sum, l) => sum + l.length, 0));
  const out = new Int32Array(issues.length);
  for (let r = 0; r < issues.length; r++) {
    const s = lists.findIndex((l, i) => l[next[i]] === issues[r]);
    if (s < 0) throw new Error('label issues: the ranking is not a merge of the splits\u2019 lists');
    out[r] = start[s] + next[s]++;
  }
  return out;
}

/** The Discovery packDiscovery packed: the same values, the merged ranking made of the splits' issue objects again. */
export function unpackDiscovery(p: PackedDiscovery): Discovery {
  const { perSplit, order, ...rest } = p.labelIssues;
  const all: LabelIssue[] = [];
  const splits = perSplit.map((s) => {
    const issues = issueObjects(s.issues);
    for (const is of issues) all.push(is); // (a spread of 100 000s of arguments overflows the stack)
    return { split: s.split, rows: s.rows, result: { thresholds: s.thresholds, support: s.support, issues } };
  });
  const issues: LabelIssue[] = new Array(order.length);
  for (let r = 0; r < order.length; r++) issues[r] = all[order[r]];
  return { outliers: p.outliers, labelIssues: { ...rest, perSplit: splits, issues } };
}

/** (Plain loops: TypedArray.from with a mapping function took ~0.1 s per column of 180 000 issues.) */
function issueColumns(issues: LabelIssue[]): IssueColumns {
  const m = issues.length;
  const c = { index: new Int32Array(m), given: new Int32Array(m), suggested: new Int32Array(m), selfConfidence: new Float64Array(m), suggestedConfidence: new Float64Array(m), margin: new Float64Array(m) };
  for (let r = 0; r < m; r++) {
    const is = issues[r];
    c.index[r] = is.index;
    c.given[r] = is.given;
    c.suggested[r] = is.suggested;
    c.selfConfidence[r] = is.selfConfidence;
    c.suggestedConfidence[r] = is.suggestedConfidence;
    c.margin[r] = is.margin;
  }
  return c;
}

function issueObjects(c: IssueColumns): LabelIssue[] {
  const issues: LabelIssue[] = new Array(c.index.length);
  for (let r = 0; r < issues.length; r++) {
    issues[r] = { index: c.index[r], given: c.given[r], suggested: c.suggested[r], selfConfidence: c.selfConfidence[r], suggestedConfidence: c.suggestedConfidence[r], margin: c.margin[r] };
  }
  return issues;
}
