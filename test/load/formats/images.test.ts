import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, decodeImageFiles, readImageFolder } from '../../../src/load/formats/images.ts';
import { jpg, png } from '../../helpers/images.ts';

describe('image folders', () => {
  it('lists <class>/<file> sorted, ignoring other files with a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'img-'));
    for (const c of ['dog', 'cat']) mkdirSync(join(dir, c));
    writeFileSync(join(dir, 'dog', 'b.png'), png(2, 2));
    writeFileSync(join(dir, 'dog', 'a.jpg'), jpg(2, 2, 100));
    writeFileSync(join(dir, 'cat', 'z.PNG'), png(2, 2));
    writeFileSync(join(dir, 'cat', 'notes.txt'), 'x');
    const warnings: string[] = [];
    const t = await readImageFolder(dir, { id: 'id', label: 'label', split: null }, (w) => warnings.push(w));
    expect(t.objects()).toEqual([
      { id: 'cat/z.PNG', label: 'cat', file: 'cat/z.PNG' },
      { id: 'dog/a.jpg', label: 'dog', file: 'dog/a.jpg' },
      { id: 'dog/b.png', label: 'dog', file: 'dog/b.png' },
    ]);
    expect(warnings).toEqual([`${dir}: 1 file(s) that are not .png/.jpg were ignored`]);
  });

  it('searches sub-folders of a class, follows links (each folder once), and counts hidden and misplaced files instead of dropping them silently', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'img-'));
    const other = mkdtempSync(join(tmpdir(), 'img-other-'));
    mkdirSync(join(dir, 'cat', 'nested', 'deep'), { recursive: true });
    mkdirSync(join(dir, 'dog'));
    mkdirSync(join(dir, '.ipynb_checkpoints'));
    writeFileSync(join(dir, '.ipynb_checkpoints', 'x.png'), png(1, 1));
    writeFileSync(join(dir, 'cat', 'a.png'), png(1, 1));
    writeFileSync(join(dir, 'cat', 'nested', 'deep', 'b.png'), png(1, 1));
    writeFileSync(join(dir, 'cat', '.DS_Store'), 'x');
    writeFileSync(join(dir, 'top.png'), png(1, 1));
    writeFileSync(join(other, 'c.png'), png(1, 1));
    symlinkSync(join(other, 'c.png'), join(dir, 'dog', 'linked.png'));
    symlinkSync(other, join(dir, 'owl')); // a linked class folder
    symlinkSync(dir, join(dir, 'cat', 'nested', 'loop')); // a link back up the tree: not followed twice
    const warnings: string[] = [];
    const t = await readImageFolder(dir, { id: 'id', label: 'label', split: null }, (w) => warnings.push(w));
    expect((t.objects() as { id: string; label: string }[]).map((r) => `${r.label} ${r.id}`)).toEqual(['cat cat/a.png', 'cat cat/nested/deep/b.png', 'dog dog/linked.png', 'owl owl/c.png']);
    expect(warnings).toEqual([`${dir}: 1 file(s) outside a class folder, 2 hidden file(s) or folder(s) (names starting with ".") were ignored`]);
  });

  it('reads <split>/<class>/<file> when a split column is configured, and refuses an empty folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'img-'));
    mkdirSync(join(dir, 'val', 'cat'), { recursive: true });
    writeFileSync(join(dir, 'val', 'cat', 'a.png'), png(1, 1));
    const t = await readImageFolder(dir, { id: 'id', label: 'y', split: 'split' });
    expect(t.objects()).toEqual([{ id: 'val/cat/a.png', y: 'cat', split: 'val', file: 'val/cat/a.png' }]);
    await expect(readImageFolder(mkdtempSync(join(tmpdir(), 'empty-')), { id: 'id', label: 'label', split: null })).rejects.toThrow(/expected an image folder laid out as <class>\/<file>\.png\|jpg, found no images/);
  });

  it('decodes PNG and JPEG to grey or RGB, and names an undecodable file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'img-'));
    writeFileSync(join(dir, 'a.png'), png(3, 2));
    const rgb = await decodeImage(join(dir, 'a.png'), 3);
    expect([rgb.width, rgb.height]).toEqual([3, 2]);
    expect(Array.from(rgb.pixels.subarray(5 * 3, 6 * 3))).toEqual([20, 10, 7]); // pixel (2, 1)
    const grey = await decodeImage(join(dir, 'a.png'), 1);
    expect(grey.pixels[5]).toBe(Math.round(0.299 * 20 + 0.587 * 10 + 0.114 * 7));
    writeFileSync(join(dir, 'g.jpg'), jpg(4, 4, 200));
    const j = await decodeImage(join(dir, 'g.jpg'), 1);
    expect(Math.abs(j.pixels[0] - 200)).toBeLessThanOrEqual(1);
    writeFileSync(join(dir, 'bad.png'), png(3, 2).subarray(0, 30));
    await expect(decodeImage(join(dir, 'bad.png'), 1)).rejects.toThrow(/bad\.png: expected a decodable PNG or JPEG image, found an undecodable file/);
    writeFileSync(join(dir, 'empty.png'), '');
    await expect(decodeImage(join(dir, 'empty.png'), 1)).rejects.toThrow(/empty\.png: expected a decodable PNG or JPEG image, found an empty file$/);
  });

  it('decodeImageFiles returns every file\'s pixels or failure as values, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'img-'));
    writeFileSync(join(dir, 'a.png'), png(3, 2));
    writeFileSync(join(dir, 'bad.png'), Buffer.from('not a png'));
    const out = await decodeImageFiles([join(dir, 'a.png'), join(dir, 'bad.png'), join(dir, 'absent.png'), join(dir, 'a.png')], 3);
    const a = await decodeImage(join(dir, 'a.png'), 3);
    expect(out[0]).toEqual({ ok: true, image: a });
    expect(out[1]).toEqual({ ok: false, found: expect.stringMatching(/^an undecodable file/) });
    expect(out[2]).toEqual({ ok: false, fatal: expect.stringMatching(/ENOENT/) });
    expect(out[3]).toEqual(out[0]);
  });
});
