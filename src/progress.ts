/**
 * Progress on stderr: a redrawn bar on a TTY, a plain line per step otherwise, nothing when quiet.
 * stdout is never used, so it carries only what the user asked for.
 */
export interface Progress {
  stage(name: string): void;
  tick(done: number, total: number, label: string): void;
  warn(message: string): void;
  done(): void;
}

export function createProgress(opts: { quiet: boolean; stream?: NodeJS.WriteStream }): Progress {
  const out = opts.stream ?? process.stderr;
  const tty = Boolean(out.isTTY);
  let lastPct = -1;
  let barOpen = false;
  const closeBar = () => {
    if (barOpen) out.write('\n');
    barOpen = false;
  };
  if (opts.quiet) return { stage() {}, tick() {}, warn: (m) => out.write(`losslens: warning: ${m}\n`), done() {} };
  return {
    stage(name) {
      closeBar();
      lastPct = -1;
      out.write(`losslens: ${name}\n`);
    },
    tick(done, total, label) {
      const pct = total ? Math.floor((100 * done) / total) : 100;
      if (tty) {
        const width = 30;
        const fill = Math.round((width * pct) / 100);
        out.write(`\r  [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(pct).padStart(3)}% ${label}`);
        barOpen = true;
      } else if (Math.floor(pct / 25) > Math.floor(lastPct / 25) || (pct === 100 && lastPct < 100)) {
        // A line per quarter, so a log file shows progress without thousands of lines.
        out.write(`  ${pct}% ${label}\n`);
        lastPct = pct;
      }
    },
    warn(message) {
      closeBar();
      out.write(`losslens: warning: ${message}\n`);
    },
    done: closeBar,
  };
}

export const silentProgress: Progress = { stage() {}, tick() {}, warn() {}, done() {} };
