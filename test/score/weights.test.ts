import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readModelJson, readWeightShards } from '../../src/score/weights.ts';

/** A model.json whose manifest names `paths` for one float32 [2, 3] and one bool [2] weight (26 bytes). */
function fixture(paths: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'weights-'));
  const weights = [
    { name: 'w', shape: [2, 3], dtype: 'float32' as const },
    { name: 'm', shape: [2], dtype: 'bool' as const },
  ];
  const json = { modelTopology: {}, weightsManifest: [{ paths, weights }] };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  return { dir, path: join(dir, 'model.json'), json };
}

describe('readWeightShards', () => {
  it('concatenates the shards in manifest order and returns the specs', async () => {
    const { dir, path, json } = fixture(['a.bin', 'b.bin']);
    writeFileSync(join(dir, 'a.bin'), Uint8Array.from({ length: 20 }, (_, i) => i));
    writeFileSync(join(dir, 'b.bin'), Uint8Array.from({ length: 6 }, (_, i) => 100 + i));
    const { specs, weightData } = await readWeightShards(path, json);
    expect(specs.map((s) => s.name)).toEqual(['w', 'm']);
    expect(Array.from(new Uint8Array(weightData))).toEqual([...Array.from({ length: 20 }, (_, i) => i), ...Array.from({ length: 6 }, (_, i) => 100 + i)]);
  });

  it('names the missing shard, and the first shard with both byte counts when they differ', async () => {
    const { dir, path, json } = fixture(['a.bin', 'b.bin']);
    writeFileSync(join(dir, 'a.bin'), new Uint8Array(20));
    await expect(readWeightShards(path, json)).rejects.toThrow(/b\.bin: expected a weights file named in model\.json, found no such file/);
    writeFileSync(join(dir, 'b.bin'), new Uint8Array(5));
    await expect(readWeightShards(path, json)).rejects.toThrow(/a\.bin: expected 26 bytes of weights \(per model\.json\), found 25 bytes/);
  });
});

describe('readModelJson', () => {
  it('returns the parsed JSON and names the model kind in every error', async () => {
    const { dir, path, json } = fixture(['a.bin']);
    expect(await readModelJson(path, 'layers')).toEqual(json);
    await expect(readModelJson(join(dir, 'absent.json'), 'graph')).rejects.toThrow(/absent\.json: expected a tfjs graph model\.json, found no such file/);
    writeFileSync(join(dir, 'bad.json'), '{');
    await expect(readModelJson(join(dir, 'bad.json'), 'layers')).rejects.toThrow(/expected a tfjs layers model\.json, found invalid JSON/);
    writeFileSync(join(dir, 'other.json'), '{"modelTopology": {}}');
    await expect(readModelJson(join(dir, 'other.json'), 'graph')).rejects.toThrow(/expected a tfjs graph model\.json with modelTopology and weightsManifest, found other JSON/);
  });
});
