/**
 * The quote-free CSV reader against arquero, the reader it stands in for: on generated files the
 * same column names and the same values (Object.is: −0 and NaN included), or null — and arquero
 * reads the file — wherever it cannot promise that.
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { describe, expect, it } from 'vitest';
import { readDelimitedByArquero } from '../../../src/load/dataset.ts';
import { numberAt, readPlainDelimited } from '../../../src/load/formats/plain-csv.ts';
import { mulberry32 } from '../../../src/stats/rng.ts';

/** What readTable does when this reader returns null: arquero's stream reader, `textColumns` kept as text. */
const viaArquero = (text: string, textColumns: string[], delimiter = ','): Promise<ColumnTable> => readDelimitedByArquero(text, delimiter, textColumns);

function expectSameTable(fast: ColumnTable | null, slow: ColumnTable): void {
  expect(fast).not.toBeNull();
  expect(fast!.columnNames()).toEqual(slow.columnNames());
  expect(fast!.numRows()).toBe(slow.numRows());
  for (const name of slow.columnNames()) {
    const a = fast!.array(name) as unknown[];
    const b = slow.array(name) as unknown[];
    for (let r = 0; r < b.length; r++) if (!Object.is(a[r], b[r])) expect({ name, r, value: a[r] }).toEqual({ name, r, value: b[r] });
  }
}

/** Numbers as files write them, and the odd ones `+` still reads. */
function numberText(rng: () => number): string {
  const pick = rng();
  if (pick < 0.6) return ((rng() - 0.5) * 10 ** Math.floor(rng() * 8 - 3)).toFixed(Math.floor(rng() * 9));
  if (pick < 0.7) return String((rng() - 0.5) * 1e3); // up to 17 significant digits
  if (pick < 0.75) return ((rng() - 0.5) * 1e-7).toExponential(6);
  if (pick < 0.8) return String(Math.floor(rng() * 1e6) - 5e5);
  const odd = ['-0', '0', '0.0', '-0.000', 'NaN', 'Infinity', '-Infinity', '1E5', '+3', '.5', '5.', '-.25', ' 2.5', '007', '0x1A', '123456789012345678901', '0.1234567890123456789012345', '9007199254740993', '1e400'];
  return odd[Math.floor(rng() * odd.length)];
}

function generated(seed: number, rows: number, eol: string, opts: { trailing?: boolean; empties?: boolean } = {}): string {
  const rng = mulberry32(seed);
  const lines = ['id,split,logit_0,logit_1,logit_2'];
  for (let r = 0; r < rows; r++) {
    const empty = () => opts.empties && rng() < 0.02;
    const num = () => (empty() ? '' : numberText(rng));
    lines.push([`r${r}`, empty() ? '' : ['train', 'val', 'test'][r % 3], num(), num(), num()].join(','));
  }
  return lines.join(eol) + (opts.trailing === false ? '' : eol);
}

describe('readPlainDelimited', () => {
  it('reads generated files exactly as arquero does: \\n, \\r\\n and \\r line ends, with or without a last one, empty fields', async () => {
    for (const [seed, rows, eol, trailing] of [[1, 3000, '\n', true], [2, 2500, '\r\n', false], [3, 1700, '\r', true], [4, 40, '\n', false]] as const) {
      const text = generated(seed, rows, eol, { trailing, empties: true });
      expectSameTable(readPlainDelimited(text, ',', ['id']), await viaArquero(text, ['id']));
    }
  });

  it('types a column from all its values: a word after the first 1 000 numbers keeps it text (as pandas), text columns stay text', async () => {
    const rows = ['id,score,tag,code'];
    for (let r = 0; r < 1500; r++) rows.push(`${r},${r === 1200 ? 'oops' : (r / 7).toFixed(3)},${r % 2 ? 'a' : 'b'},${String(r).padStart(4, '0')}`);
    const text = rows.join('\n');
    const fast = readPlainDelimited(text, ',', ['code']);
    expectSameTable(fast, await viaArquero(text, ['code']));
    expect(fast!.get('score', 1200)).toBe('oops');
    expect(fast!.get('score', 7)).toBe('1.000');
    expect(fast!.get('code', 7)).toBe('0007');
    expect(fast!.get('id', 7)).toBe(7);
  });

  it('types a column empty or numeric in its first 1 200 records from the values after them too', async () => {
    const rows = ['id,text,num,flag,day,digits'];
    for (let r = 0; r < 1500; r++) {
      const late = r >= 1200;
      rows.push([`r${r}`, late ? `free money ${r}` : '', late ? String(r / 4) : '', late ? String(r % 2 === 0) : '', late ? '2024-01-02' : '', late ? `call ${r}` : String(10000 + r)].join(','));
    }
    const text = rows.join('\n') + '\n';
    const fast = readPlainDelimited(text, ',', ['id']);
    expectSameTable(fast, await viaArquero(text, ['id']));
    expect([fast!.get('text', 0), fast!.get('text', 1300)]).toEqual([null, 'free money 1300']);
    expect(fast!.get('num', 1300)).toBe(325);
    expect(fast!.get('flag', 1300)).toBe(true);
    expect(fast!.get('day', 1300)).toEqual(new Date(Date.parse('2024-01-02')));
    expect([fast!.get('digits', 0), fast!.get('digits', 1300)]).toEqual(['10000', 'call 1300']);
    // The same file quoted, read by arquero: the same values.
    const quoted = await viaArquero(text.replace('id,text', '"id",text'), ['id']);
    expect([quoted.get('text', 1300), quoted.get('digits', 0), quoted.get('digits', 1300)]).toEqual(['free money 1300', '10000', 'call 1300']);
  });

  it('reads NaN and infinities as Python and numpy write them (nan, -inf…) as numbers, before and after the first 1 000 records', async () => {
    const spellings = ['nan', '-nan', 'NaN', 'inf', '-inf', '+inf', 'Infinity', '-Infinity', 'INF', 'NAN'];
    const rows = ['id,early,late'];
    for (let r = 0; r < 1500; r++) rows.push(`r${r},${r < spellings.length ? spellings[r] : r / 2},${r >= 1200 && r < 1200 + spellings.length ? spellings[r - 1200] : r / 2}`);
    const text = rows.join('\n');
    const values = [NaN, NaN, NaN, Infinity, -Infinity, Infinity, Infinity, -Infinity, Infinity, NaN];
    for (const table of [readPlainDelimited(text, ',', ['id']), await viaArquero(text, ['id'])]) {
      expect(spellings.map((_, r) => table!.get('early', r))).toEqual(values);
      expect(spellings.map((_, r) => table!.get('late', 1200 + r))).toEqual(values);
      expect(table!.get('late', 7)).toBe(3.5);
    }
    expectSameTable(readPlainDelimited(text, ',', ['id']), await viaArquero(text, ['id']));
  });

  it('types booleans, ISO dates and empty columns as arquero did, and skips blank lines anywhere', async () => {
    const text = '\nid,b,d,e,n\na,true,2024-01-02,,1\n\nb,false,2024-02-03,,2\n\n\n';
    for (const eol of ['\n', '\r\n', '\r']) {
      const t = text.replaceAll('\n', eol);
      const fast = readPlainDelimited(t, ',', ['id']);
      expectSameTable(fast, await viaArquero(t, ['id']));
      expect(fast!.objects()).toEqual([
        { id: 'a', b: true, d: new Date(Date.parse('2024-01-02')), e: null, n: 1 },
        { id: 'b', b: false, d: new Date(Date.parse('2024-02-03')), e: null, n: 2 },
      ]);
    }
    // A record of empty fields is one, though.
    expectSameTable(readPlainDelimited('id,x\na,1\n,\n', ',', ['id']), await viaArquero('id,x\na,1\n,\n', ['id']));
  });

  it('reads a one-column file (an ids file) of 200 000 lines, as arquero does', async () => {
    const text = ['id', ...Array.from({ length: 200_000 }, (_, i) => `r${i}`)].join('\n') + '\n';
    expectSameTable(readPlainDelimited(text, ',', ['id']), await viaArquero(text, ['id']));
  });

  it('reads TSV', async () => {
    const text = 'id\tx\nA\t1.5\nB\t-2\n';
    expectSameTable(readPlainDelimited(text, '\t', ['id']), await viaArquero(text, ['id'], '\t'));
  });

  it('leaves to arquero what it cannot promise to read alike', () => {
    const ok = 'id,x\na,1\nb,2\n';
    expect(readPlainDelimited(ok, ',', ['id'])).not.toBeNull();
    const cases: Record<string, string> = {
      'a quote': 'id,x\n"a",1\n',
      'a short record': 'id,x\na,1\nb\n',
      'a long record': 'id,x\na,1\nb,2,3\n',
      'duplicate names': 'id,x,x\na,1,2\n',
      'no records': 'id,x\n',
      'only blank lines after the header': 'id,x\n\n\n',
    };
    for (const [why, text] of Object.entries(cases)) expect(readPlainDelimited(text, ',', ['id']), why).toBeNull();
  });
});

describe('numberAt', () => {
  it('is +text for every field, plain decimals read without the string', () => {
    const rng = mulberry32(9);
    const texts = Array.from({ length: 50_000 }, () => numberText(rng));
    texts.push('0.1', '0.3', '-1.944520', '123456789012345.6', '9007199254740991', '9007199254740992.5', '1.0000000000000000000001', '-', '.', '1.2.3', '1-2');
    for (const t of texts) {
      const line = `,${t},`;
      const got = numberAt(line, 1, 1 + t.length);
      if (!Object.is(got, +t)) expect({ t, got }).toEqual({ t, got: +t });
    }
  });
});
