/** A hand-made report model whose every data-derived string is hostile, for renderer tests. */
import type { Block, SectionResult } from '../../src/analyses/types.ts';
import type { ReportModel } from '../../src/report/model.ts';
import { buildVerdicts } from '../../src/report/verdicts.ts';

export const EVIL = [
  '<script>alert(1)</script>',
  'a </script><script>alert(2)</script> b',
  '<img src=x onerror=alert(3)>',
  '" onmouseover="alert(4)',
  "' onfocus='alert(5)",
  'javascript:alert(6)',
  '{{constructor.constructor("alert(7)")()}}',
  '{{{raw}}} {{> partial}}',
  'bidi \u202Eevil\u202C \u2066x\u2069',
  'sep\u2028para\u2029end',
  'back`tick`=equals',
] as const;

export const BIG = `${'<b>'.repeat(10)}${'x'.repeat(1 << 20)}`;

const evil = (i: number) => EVIL[i % EVIL.length];

export function hostileBlocks(): Block[] {
  return [
    { type: 'text', text: evil(0), tone: 'warn' },
    { type: 'metrics', items: [{ label: evil(1), value: evil(2), hint: evil(3), tone: 'bad' }] },
    {
      type: 'table',
      caption: evil(4),
      note: evil(5),
      columns: [{ label: evil(6), hint: evil(7) }, { label: 'n', format: 'int' }, { label: evil(8) }],
      rows: [
        ...EVIL.map((s, i) => [s, i, { text: s, tone: 'bad' as const }]),
        [BIG, 99, { preview: { kind: 'text' as const, text: BIG, truncated: true } }],
        [null, Number.NaN, { preview: { kind: 'fields' as const, fields: [[evil(9), evil(10)]] as [string, string][] } }],
      ],
    },
    {
      type: 'chart',
      chart: { kind: 'bars', items: EVIL.map((s, i) => ({ label: `${s} ${i}`, value: i + 1 })), xLabel: evil(0), yLabel: evil(2) },
      caption: evil(1),
      alt: evil(3),
    },
    { type: 'grid', blocks: [{ type: 'list', items: [...EVIL] }] },
  ];
}

export function hostileModel(overrides: Partial<ReportModel> = {}): ReportModel {
  const sections: SectionResult[] = [
    { id: 'calibration', title: evil(0), description: evil(1), status: 'ok', headline: `${evil(2)} ${BIG}`, warnings: [evil(3)], blocks: hostileBlocks() },
    { id: 'evil-na', title: evil(4), description: evil(5), status: 'notApplicable', reason: evil(6) },
    { id: 'evil-error', title: evil(7), description: evil(8), status: 'error', reason: evil(9) },
    // A block kind this renderer does not know: shown as escaped raw JSON.
    { id: 'future', title: 'Future block', description: 'd', status: 'ok', headline: 'h', warnings: [], blocks: [{ type: 'sankey', payload: evil(0) } as unknown as Block] },
  ];
  const final = { checkpoint: evil(0), split: evil(1), n: 10, accuracy: 0.9, macroF1: 0.8, nll: 0.3, brier: 0.2, ece: 0.04, mce: 0.1 };
  const extra = {
    outliers: EVIL.map((s, i) => ({ id: s, split: evil(i + 1), label: evil(i + 2), predicted: evil(i + 3), confidence: 0.9, loss: 5 - i / 10, reasons: [s] })),
    baselines: [{ name: evil(5), accuracy: 0.5, macroF1: 0.4, nll: 1 }],
  };
  return {
    schemaVersion: 1,
    tool: { name: 'losslens', version: '0.0.0-test' },
    run: { name: evil(0), description: evil(7), backend: evil(2), seed: 1, generatedAt: '2026-01-01T00:00:00.000Z', wallTimeMs: null, configFile: 'losslens.config.json' },
    dataset: {
      file: evil(1),
      n: 10,
      classes: [...EVIL],
      splits: { [evil(0)]: 5, [evil(1)]: 5 },
      unscorable: 1,
      unscorableRecords: [{ index: 0, id: evil(2), reason: evil(3) }],
    },
    checkpoints: [{ id: evil(0), step: 1, path: evil(4), splits: {} }],
    final,
    warnings: [evil(5), BIG],
    verdicts: buildVerdicts({ final, dataset: { n: 10, unscorable: 1 }, extra, sections }),
    gates: [{ expr: `${evil(0)}>1`, value: 2, failed: true }],
    sections,
    extra,
    ...overrides,
  };
}
