/**
 * The report's charts, each drawn once and one at a time: on demand while the HTML is rendered,
 * and ahead of that in moments the main thread would otherwise spend waiting — while analyses
 * await the worker thread (the logistic-regression baseline, calibration's numbers), the sections
 * already finished have their charts drawn. Drawing a chart is ~30–60 ms of vega on the main
 * thread; at 100 000 records the analyses wait on the worker for longer than all charts take.
 *
 * Ahead-of-time drawing runs from setImmediate callbacks, which Node runs only once the current
 * task and its promise jobs are done: never in the middle of an analysis, only when the thread
 * has nothing else to run. A worker's answer that arrives while a chart is being drawn waits for
 * that one chart. The drawings are the same whenever they are made (svg.ts numbers ids per chart),
 * so the report does not depend on which charts were drawn ahead.
 */
import type { Block } from '../analyses/types.ts';

export type ChartBlock = Extract<Block, { type: 'chart' }>;

/** A drawn chart: its SVG, or the note that replaces a chart vega could not draw. */
export interface DrawnChart {
  svg: string;
  failed: string;
}

export class ChartQueue {
  private readonly drawn = new WeakMap<ChartBlock, Promise<DrawnChart>>();
  private readonly ahead: ChartBlock[] = [];
  private last: Promise<unknown> = Promise.resolve();
  private idle: NodeJS.Immediate | null = null;

  /** `drawOne` must not reject (html.ts drawChart turns a failure into a note). */
  constructor(private readonly drawOne: (block: ChartBlock) => Promise<DrawnChart>) {}

  /** The block's chart: the drawing already made or under way, else one queued after those. */
  draw(block: ChartBlock): Promise<DrawnChart> {
    let p = this.drawn.get(block);
    if (!p) {
      p = this.last.then(() => this.drawOne(block));
      this.last = p;
      this.drawn.set(block, p);
    }
    return p;
  }

  /** Draw the charts among `blocks` (grids included) whenever the main thread is idle, in order. */
  drawWhenIdle(blocks: readonly Block[]): void {
    const collect = (list: readonly Block[]) => {
      for (const b of list) {
        if (b.type === 'chart') this.ahead.push(b);
        else if (b.type === 'grid') collect(b.blocks);
      }
    };
    collect(blocks);
    this.schedule();
  }

  /** No more drawing ahead; a chart under way finishes, the rest are drawn when asked for. */
  stop(): void {
    this.ahead.length = 0;
    if (this.idle) clearImmediate(this.idle);
    this.idle = null;
  }

  private schedule(): void {
    if (this.idle || this.ahead.length === 0) return;
    this.idle = setImmediate(() => {
      this.idle = null;
      const next = this.ahead.shift();
      // One chart per idle moment: the thread's own work (a worker's answer) goes first in between.
      if (next) void this.draw(next).then(() => this.schedule());
    });
  }
}
