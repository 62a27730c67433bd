import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverCheckpoints } from '../../src/load/checkpoints.ts';
import { InputError } from '../../src/messages.ts';

function tree(paths: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
  for (const p of paths) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), '{}');
  }
  return dir;
}

describe('discoverCheckpoints', () => {
  it('orders by the last integer in the path, not lexically', async () => {
    const dir = tree(['ck/step-10/model.json', 'ck/step-9/model.json', 'ck/step-100/model.json', 'ck/run2-step-0/model.json']);
    const found = await discoverCheckpoints('ck/*/model.json', dir);
    expect(found.map((c) => [c.id, c.step])).toEqual([['run2-step-0', 0], ['step-9', 9], ['step-10', 10], ['step-100', 100]]);
  });

  it('puts step-less checkpoints last, in path order, and names files by stem', async () => {
    const dir = tree(['m/epoch3.onnx', 'm/final.onnx', 'm/best.onnx']);
    const found = await discoverCheckpoints('m/*.onnx', dir);
    expect(found.map((c) => c.id)).toEqual(['epoch3', 'best', 'final']);
    expect(found.map((c) => c.step)).toEqual([3, 4, 5]);
  });

  it('fails with the pattern named when nothing matches', async () => {
    const dir = tree([]);
    await expect(discoverCheckpoints('nope/*.json', dir)).rejects.toThrow(InputError);
    await expect(discoverCheckpoints('nope/*.json', dir)).rejects.toThrow(/model\.checkpoints \(nope\/\*\.json\)/);
  });
});
