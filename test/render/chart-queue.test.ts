import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/analyses/types.ts';
import { ChartQueue, type ChartBlock, type DrawnChart } from '../../src/render/chart-queue.ts';

const chart = (n: number): ChartBlock => ({ type: 'chart', chart: { kind: 'bars', items: [{ label: `c${n}`, value: n }], xLabel: '', yLabel: 'v' }, caption: `chart ${n}`, alt: `alt ${n}` });
/** A macrotask boundary: what the main thread reaches while it awaits a worker's answer. */
const idleMoment = () => new Promise<void>((r) => setTimeout(r, 5));

/** A queue whose drawings are recorded; each takes a few milliseconds and overlapping ones are counted. */
function recording() {
  const drawn: string[] = [];
  let active = 0;
  let overlapped = 0;
  const queue = new ChartQueue(async (b): Promise<DrawnChart> => {
    if (++active > 1) overlapped++;
    await new Promise((r) => setTimeout(r, 2));
    drawn.push(b.caption);
    active--;
    return { svg: `<svg>${b.caption}</svg>`, failed: '' };
  });
  return { queue, drawn, overlapped: () => overlapped };
}

describe('ChartQueue', () => {
  it('draws each chart once, one at a time, in the order asked', async () => {
    const { queue, drawn, overlapped } = recording();
    const [a, b] = [chart(1), chart(2)];
    const first = queue.draw(a);
    expect(queue.draw(a)).toBe(first); // the same drawing, not a second one
    const all = await Promise.all([first, queue.draw(b), queue.draw(a)]);
    expect(all.map((d) => d.svg)).toEqual(['<svg>chart 1</svg>', '<svg>chart 2</svg>', '<svg>chart 1</svg>']);
    expect(drawn).toEqual(['chart 1', 'chart 2']);
    expect(overlapped()).toBe(0);
  });

  it('draws ahead only when the thread is idle, grids included, and draws nothing more ahead once stopped', async () => {
    const { queue, drawn, overlapped } = recording();
    const blocks: Block[] = [{ type: 'text', text: 't' }, chart(1), { type: 'grid', blocks: [chart(2), { type: 'list', items: [] }, chart(3)] }];
    queue.drawWhenIdle(blocks);
    // Synchronous work and promise jobs (an analysis computing) come first: nothing is drawn yet.
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(drawn).toEqual([]);
    // Waiting (as for the worker thread): the charts are drawn, in order.
    for (let i = 0; i < 20 && drawn.length < 3; i++) await idleMoment();
    expect(drawn).toEqual(['chart 1', 'chart 2', 'chart 3']);
    // Asked for later (renderHtml), they come from what was drawn ahead.
    expect((await queue.draw((blocks[2] as Extract<Block, { type: 'grid' }>).blocks[0] as ChartBlock)).svg).toBe('<svg>chart 2</svg>');
    expect(drawn).toHaveLength(3);

    const later = [chart(4), chart(5)];
    queue.drawWhenIdle(later);
    queue.stop();
    for (let i = 0; i < 5; i++) await idleMoment();
    expect(drawn).toHaveLength(3); // stopped before an idle moment: nothing drawn ahead
    expect((await queue.draw(later[1])).svg).toBe('<svg>chart 5</svg>'); // still drawn when asked for
    expect(overlapped()).toBe(0);
  });
});
