import { describe, expect, it } from 'vitest';
import { analyses, runAnalyses } from '../../src/analyses/index.ts';
import type { Analysis } from '../../src/analyses/types.ts';
import { makeContext } from '../helpers/context.ts';

describe('runAnalyses', () => {
  it('turns a throw into an error section and a missing input into notApplicable, and keeps going', async () => {
    const ctx = makeContext({ probs: [[0.9, 0.1]], labels: [0] });
    const list: Analysis[] = [
      { id: 'boom', title: 'Boom', description: 'd', run: () => { throw new Error('kaput'); } },
      { id: 'na', title: 'NA', description: 'd', notApplicable: () => 'needs a metrics log', run: () => ({ headline: '', blocks: [] }) },
      { id: 'ok', title: 'OK', description: 'd', run: async () => ({ headline: 'fine', blocks: [], summary: { okKey: 1 } }) },
    ];
    const { sections, outputs } = await runAnalyses(ctx, list);
    expect(sections.map((s) => [s.id, s.status])).toEqual([['boom', 'error'], ['na', 'notApplicable'], ['ok', 'ok']]);
    expect(sections[0]).toMatchObject({ reason: 'kaput' });
    expect(sections[1]).toMatchObject({ reason: 'needs a metrics log' });
    expect(outputs.get('ok')?.summary).toEqual({ okKey: 1 });
  });

  it('starts every applicable analysis first, runs those with background work last, and keeps the list order in the report', async () => {
    const ctx = makeContext({ probs: [[0.9, 0.1]], labels: [0] });
    const events: string[] = [];
    const plain = (id: string): Analysis => ({ id, title: id, description: 'd', run: () => (events.push(`run ${id}`), { headline: id, blocks: [] }) });
    const list: Analysis[] = [
      { ...plain('bg'), start: () => void events.push('start bg') },
      plain('a'),
      { ...plain('na'), notApplicable: () => 'no', start: () => void events.push('start na') },
      { ...plain('bad-start'), start: () => { throw new Error('no thread'); } },
      plain('b'),
    ];
    const { sections, outputs } = await runAnalyses(ctx, list);
    expect(events).toEqual(['start bg', 'run a', 'run b', 'run bg', 'run bad-start']);
    expect(sections.map((s) => [s.id, s.status])).toEqual([['bg', 'ok'], ['a', 'ok'], ['na', 'notApplicable'], ['bad-start', 'ok'], ['b', 'ok']]);
    expect([...outputs.keys()]).toEqual(['bg', 'a', 'bad-start', 'b']);
  });

  it('queues background work and collects it by start rank, then list order', async () => {
    const ctx = makeContext({ probs: [[0.9, 0.1]], labels: [0] });
    const events: string[] = [];
    const bg = (id: string, startRank?: number): Analysis => ({ id, title: id, description: 'd', startRank, start: () => void events.push(`start ${id}`), run: () => (events.push(`run ${id}`), { headline: id, blocks: [] }) });
    const list: Analysis[] = [bg('late', 1), bg('first'), { id: 'plain', title: 'p', description: 'd', run: () => (events.push('run plain'), { headline: '', blocks: [] }) }, bg('second'), bg('soonest', -1)];
    const { sections } = await runAnalyses(ctx, list);
    // A negative rank goes before the default one, still after the analyses without background work.
    expect(events).toEqual(['start soonest', 'start first', 'start second', 'start late', 'run plain', 'run soonest', 'run first', 'run second', 'run late']);
    expect(sections.map((s) => s.id)).toEqual(['late', 'first', 'plain', 'second', 'soonest']);
  });

  it('tells of each section as soon as its analysis has run, in the order they run', async () => {
    const ctx = makeContext({ probs: [[0.9, 0.1]], labels: [0] });
    const events: string[] = [];
    const plain = (id: string): Analysis => ({ id, title: id, description: 'd', run: () => (events.push(`run ${id}`), { headline: id, blocks: [{ type: 'text', text: id }] }) });
    const list: Analysis[] = [{ ...plain('bg'), start: () => undefined }, { ...plain('na'), notApplicable: () => 'no' }, plain('a'), { ...plain('boom'), run: () => { throw new Error('x'); } }];
    const { sections } = await runAnalyses(ctx, list, (s) => events.push(`section ${s.id} ${s.status}`));
    expect(events).toEqual(['section na notApplicable', 'run a', 'section a ok', 'section boom error', 'run bg', 'section bg ok']);
    expect(sections.map((s) => s.id)).toEqual(['bg', 'na', 'a', 'boom']);
  });

  it('has unique ids in THE list', () => {
    const ids = analyses.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of analyses) expect(a.title && a.description).toBeTruthy();
  });
});
