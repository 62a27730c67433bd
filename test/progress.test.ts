import { describe, expect, it } from 'vitest';
import { createProgress } from '../src/progress.ts';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (s: string) => (chunks.push(s), true) } as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

describe('progress', () => {
  it('prints plain lines at most every 25 % when stderr is not a terminal', () => {
    const s = sink(false);
    const p = createProgress({ quiet: false, stream: s.stream });
    p.stage('scoring');
    for (let i = 1; i <= 100; i++) p.tick(i, 100, 'ckpt');
    p.done();
    expect(s.text()).toBe('losslens: scoring\n  1% ckpt\n  25% ckpt\n  50% ckpt\n  75% ckpt\n  100% ckpt\n');
  });

  it('redraws one bar on a terminal and closes it before the next line', () => {
    const s = sink(true);
    const p = createProgress({ quiet: false, stream: s.stream });
    p.tick(1, 2, 'a');
    p.tick(2, 2, 'a');
    p.warn('careful');
    expect(s.text()).toContain('\r  [###############...............]  50% a');
    expect(s.text()).toMatch(/100% a\nlosslens: warning: careful\n$/);
  });

  it('prints only warnings when quiet', () => {
    const s = sink(true);
    const p = createProgress({ quiet: true, stream: s.stream });
    p.stage('x');
    p.tick(1, 1, 'y');
    p.warn('w');
    expect(s.text()).toBe('losslens: warning: w\n');
  });
});
