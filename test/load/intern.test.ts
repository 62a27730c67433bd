import { describe, expect, it } from 'vitest';
import { internStrings } from '../../src/load/intern.ts';

describe('internStrings', () => {
  it('keeps every value, type and position', () => {
    const values = ['train', 'val', 3, null, 'train', undefined, 'val', NaN];
    const out = internStrings(values)!;
    expect(out).not.toBeNull();
    expect(out).toEqual(values);
    expect(out).not.toBe(values);
  });

  it('leaves a column alone when nothing repeats, nothing is a string, or it has too many distinct values', () => {
    expect(internStrings(['a', 'b', 'c'])).toBeNull();
    expect(internStrings([1, 1, 2])).toBeNull();
    expect(internStrings([])).toBeNull();
    expect(internStrings(['a', 'b', 'c', 'a'], 2)).toBeNull();
    expect(internStrings(['a', 'b', 'a', 'b'], 2)).toEqual(['a', 'b', 'a', 'b']);
  });
});
