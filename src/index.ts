/** Public API: `audit(configPathOrObject)` → { model, html, summary }. */
import { loadConfig, normalizeConfig, type Config } from './config.ts';
import { runAudit, type AuditOptions, type AuditResult } from './pipeline.ts';

export { InputError } from './messages.ts';
export type { Config } from './config.ts';
export type { ReportModel } from './report/model.ts';
export type { AuditOptions, AuditResult } from './pipeline.ts';

/** Audit a run given a config file, a folder holding losslens.config.json, or a config object. */
export async function audit(config: string | Config | { raw: unknown; path: string }, opts: AuditOptions = {}): Promise<AuditResult> {
  const cfg = typeof config === 'string' ? loadConfig(config) : 'raw' in config ? normalizeConfig(config.raw, config.path) : config;
  return runAudit(cfg, opts);
}
