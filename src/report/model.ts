/** The report model: the only contract between compute and render (and the source of summary.json). */
import type { SectionResult } from '../analyses/types.ts';
import type { UnscorableRecord } from '../types.ts';
import type { GateResult } from './gates.ts';
import type { Verdict } from './verdicts.ts';

export const SCHEMA_VERSION = 1;

export interface SplitMetrics {
  n: number;
  accuracy: number;
  meanLoss: number;
  ece: number;
}

export interface ReportModel {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: string; version: string };
  run: {
    name: string;
    description: string;
    backend: string;
    seed: number;
    /** ISO time; pinned by SOURCE_DATE_EPOCH for reproducible reports. */
    generatedAt: string;
    /** Wall time of the audit; null when pinned (it would break byte-identical output). */
    wallTimeMs: number | null;
    configFile: string;
  };
  dataset: {
    file: string;
    n: number;
    classes: string[];
    splits: Record<string, number>;
    unscorable: number;
    unscorableRecords: UnscorableRecord[];
  };
  checkpoints: { id: string; step: number; path: string; splits: Record<string, SplitMetrics> }[];
  final: {
    checkpoint: string;
    split: string;
    n: number;
    accuracy: number;
    macroF1: number;
    nll: number;
    brier: number;
    ece: number;
    mce: number;
  };
  warnings: string[];
  /** The verdict cards at the top of the report (src/report/verdicts.ts). */
  verdicts: Verdict[];
  /** `--fail-on` gates and their outcome; empty when none were given. */
  gates: GateResult[];
  sections: SectionResult[];
  /** Keys contributed by analyses (perClass, confusion, outliers, …), merged into summary.json. */
  extra: Record<string, unknown>;
}
