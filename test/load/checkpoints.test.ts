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

  it('names repeated file names by their folders, so every id is unique and names its own epoch', async () => {
    const dir = tree(['preds/epoch-0/logits.npy', 'preds/epoch-1/logits.npy', 'preds/epoch-2/logits.npy']);
    const found = await discoverCheckpoints('preds/*/logits.npy', dir);
    expect(found.map((c) => [c.id, c.step])).toEqual([['epoch-0', 0], ['epoch-1', 1], ['epoch-2', 2]]);
  });

  it('falls back to the path when folders repeat too, and keeps unrepeated names as they are', async () => {
    const dir = tree(['a/run/p1.npy', 'b/run/p1.npy', 'c/p2.npy', 'x/step-1/model.json', 'y/step-1/model.json']);
    const found = await discoverCheckpoints('**/*.{npy,json}', dir);
    expect(found.map((c) => c.id)).toEqual(['a/run/p1', 'b/run/p1', 'x/step-1', 'y/step-1', 'p2']);
    expect(new Set(found.map((c) => c.id)).size).toBe(found.length);
  });

  it('keeps ids unique when a folder name equals another checkpoint\'s name', async () => {
    const dir = tree(['m/epoch-1.npy', 'm/epoch-1/p.npy', 'm/epoch-2/p.npy']);
    const found = await discoverCheckpoints('m/**/*.npy', dir);
    const ids = found.map((c) => c.id);
    expect(new Set(ids).size).toBe(3);
    expect(ids).toContain('epoch-2');
    expect(ids).toContain('epoch-1');
  });

  it('fails with the pattern named when nothing matches', async () => {
    const dir = tree([]);
    await expect(discoverCheckpoints('nope/*.json', dir)).rejects.toThrow(InputError);
    await expect(discoverCheckpoints('nope/*.json', dir)).rejects.toThrow(/model\.checkpoints \(nope\/\*\.json\)/);
  });
});
