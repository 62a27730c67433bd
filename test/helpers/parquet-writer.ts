/**
 * A minimal Parquet writer for test fixtures (no Parquet writer is a dependency): UTF-8 strings,
 * DOUBLE (REQUIRED, or OPTIONAL with nulls), INT64 (bigints) and LIST<DOUBLE> columns, PLAIN encoding, uncompressed,
 * `rowGroupSize` rows per group.
 * Thrift compact protocol, written by hand, following parquet.thrift field ids.
 */
type Col = number[] | string[] | (number | null)[] | number[][] | bigint[];

class Thrift {
  bytes: number[] = [];
  private last: number[] = [0];
  varint(n: number | bigint): void {
    let v = BigInt(n);
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v) b |= 0x80;
      this.bytes.push(b);
    } while (v);
  }
  zigzag(n: number): void {
    const v = BigInt(n);
    this.varint(v >= 0n ? v << 1n : (-v << 1n) - 1n);
  }
  field(id: number, type: number): void {
    const delta = id - this.last[this.last.length - 1];
    if (delta > 0 && delta <= 15) this.bytes.push((delta << 4) | type);
    else {
      this.bytes.push(type);
      this.zigzag(id);
    }
    this.last[this.last.length - 1] = id;
  }
  i32(id: number, v: number): void {
    this.field(id, 5);
    this.zigzag(v);
  }
  i64(id: number, v: number): void {
    this.field(id, 6);
    this.zigzag(v);
  }
  string(id: number, s: string): void {
    this.field(id, 8);
    const b = Buffer.from(s, 'utf8');
    this.varint(b.length);
    this.bytes.push(...b);
  }
  list(id: number, elemType: number, items: (() => void)[]): void {
    this.field(id, 9);
    if (items.length < 15) this.bytes.push((items.length << 4) | elemType);
    else {
      this.bytes.push(0xf0 | elemType);
      this.varint(items.length);
    }
    for (const it of items) it();
  }
  struct(id: number | null, body: () => void): void {
    if (id !== null) this.field(id, 12);
    this.last.push(0);
    body();
    this.bytes.push(0);
    this.last.pop();
  }
}

type Kind = 'string' | 'double' | 'optional' | 'list' | 'int64';

/** An empty column of a given kind (a file of no rows, as an empty partition's is). */
export function emptyColumn(kind: Kind): number[] {
  return Object.assign([] as number[], { kind });
}

function kindOf(col: Col): Kind {
  const declared = (col as { kind?: Kind }).kind;
  if (col.length === 0 && declared) return declared;
  if (col.some((v) => typeof v === 'bigint')) return 'int64';
  if (col.some((v) => Array.isArray(v))) return 'list';
  if (col.some((v) => v === null)) return 'optional';
  return col.some((v) => typeof v === 'number') ? 'double' : 'string';
}

/**
 * RLE/bit-packed hybrid levels as RLE runs (values of one byte), with the 4-byte length prefix of a
 * v1 data page.
 */
function levels(values: number[]): Uint8Array {
  const runs: number[] = [];
  const t = new Thrift();
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j < values.length && values[j] === values[i]) j++;
    t.bytes = [];
    t.varint((j - i) << 1);
    runs.push(...t.bytes, values[i]);
    i = j;
  }
  const len = Buffer.alloc(4);
  len.writeUInt32LE(runs.length);
  return Buffer.concat([len, Uint8Array.from(runs)]);
}

function doubles(values: number[]): Uint8Array {
  return new Uint8Array(Float64Array.from(values).buffer); // little-endian on every machine the tests run on
}

/**
 * Columns: strings (UTF-8), numbers (DOUBLE), numbers with nulls (an OPTIONAL DOUBLE: definition
 * levels), or arrays of numbers (a Spark-style LIST: an optional group holding a repeated group
 * `list` of REQUIRED DOUBLE `element`s, with repetition and definition levels). `listPageValues`
 * cuts a list chunk into data pages of that many values, so rows may continue on the next page.
 */
export function writeParquet(columns: Record<string, Col>, rowGroupSize = 1 << 20, opts: { listPageValues?: number } = {}): Uint8Array {
  const names = Object.keys(columns);
  const n = columns[names[0]].length;
  const kinds = Object.fromEntries(names.map((name) => [name, kindOf(columns[name])])) as Record<string, Kind>;
  const physical = (name: string) => (kinds[name] === 'string' ? 6 : kinds[name] === 'int64' ? 2 : 5); // BYTE_ARRAY | INT64 | DOUBLE
  const path = (name: string) => (kinds[name] === 'list' ? [name, 'list', 'element'] : [name]);
  const out: Uint8Array[] = [Buffer.from('PAR1')];
  let size = 4;
  const groups: { chunks: { offset: number; size: number; name: string; values: number }[]; rows: number }[] = [];
  for (let start = 0; start < n; start += rowGroupSize) {
    const end = Math.min(n, start + rowGroupSize);
    const chunks = names.map((name) => {
      const col = columns[name].slice(start, end);
      // Each page: its levels and values, and how many values (levels) it holds.
      const pages: { data: Uint8Array; values: number }[] = [];
      if (kinds[name] === 'string') {
        const data = Buffer.concat((col as string[]).flatMap((v) => {
          const s = Buffer.from(v, 'utf8');
          const len = Buffer.alloc(4);
          len.writeUInt32LE(s.length);
          return [len, s];
        }));
        pages.push({ data, values: col.length });
      } else if (kinds[name] === 'double') pages.push({ data: doubles(col as number[]), values: col.length });
      else if (kinds[name] === 'int64') pages.push({ data: new Uint8Array(BigInt64Array.from(col as bigint[]).buffer), values: col.length });
      else if (kinds[name] === 'optional') {
        const present = (col as (number | null)[]).filter((v): v is number => v !== null);
        pages.push({ data: Buffer.concat([levels(col.map((v) => (v === null ? 0 : 1))), doubles(present)]), values: col.length });
      } else {
        // Repetition level 0 starts a row, 1 continues its list; definition level 2 is a present element.
        const lists = col as unknown as number[][];
        const rep = lists.flatMap((l) => l.map((_, i) => (i === 0 ? 0 : 1)));
        const flat = lists.flat();
        const per = opts.listPageValues ?? Math.max(1, rep.length);
        for (let at = 0; at < rep.length; at += per) {
          const r = rep.slice(at, at + per);
          pages.push({ data: Buffer.concat([levels(r), levels(r.map(() => 2)), doubles(flat.slice(at, at + per))]), values: r.length });
        }
      }
      const offset = size;
      for (const { data, values } of pages) {
        const h = new Thrift();
        h.struct(null, () => {
          h.i32(1, 0); // DATA_PAGE
          h.i32(2, data.length);
          h.i32(3, data.length);
          h.struct(5, () => {
            h.i32(1, values);
            h.i32(2, 0); // PLAIN
            h.i32(3, 3); // RLE
            h.i32(4, 3);
          });
        });
        out.push(Uint8Array.from(h.bytes), data);
        size += h.bytes.length + data.length;
      }
      return { offset, size: size - offset, name, values: pages.reduce((sum, p) => sum + p.values, 0) };
    });
    groups.push({ chunks, rows: end - start });
  }
  const m = new Thrift();
  const schema: (() => void)[] = [() => m.struct(null, () => { m.string(4, 'schema'); m.i32(5, names.length); })];
  for (const name of names) {
    if (kinds[name] === 'list') {
      schema.push(() => m.struct(null, () => { m.i32(3, 1); m.string(4, name); m.i32(5, 1); m.i32(6, 3); })); // OPTIONAL group, LIST
      schema.push(() => m.struct(null, () => { m.i32(3, 2); m.string(4, 'list'); m.i32(5, 1); })); // REPEATED group
      schema.push(() => m.struct(null, () => { m.i32(1, 5); m.i32(3, 0); m.string(4, 'element'); })); // REQUIRED DOUBLE
      continue;
    }
    schema.push(() =>
      m.struct(null, () => {
        m.i32(1, physical(name));
        m.i32(3, kinds[name] === 'optional' ? 1 : 0); // OPTIONAL | REQUIRED
        m.string(4, name);
        if (kinds[name] === 'string') m.i32(6, 0); // UTF8
      }),
    );
  }
  m.struct(null, () => {
    m.i32(1, 1);
    m.list(2, 12, schema);
    m.i64(3, n);
    m.list(4, 12, groups.map((g) => () =>
      m.struct(null, () => {
        m.list(1, 12, g.chunks.map((c) => () =>
          m.struct(null, () => {
            m.i64(2, c.offset);
            m.struct(3, () => {
              m.i32(1, physical(c.name));
              m.list(2, 5, [() => m.zigzag(0), () => m.zigzag(3)]);
              m.list(3, 8, path(c.name).map((p) => () => { const b = Buffer.from(p); m.varint(b.length); m.bytes.push(...b); }));
              m.i32(4, 0);
              m.i64(5, c.values);
              m.i64(6, c.size);
              m.i64(7, c.size);
              m.i64(9, c.offset);
            });
          }),
        ));
        m.i64(2, g.chunks.reduce((s, c) => s + c.size, 0));
        m.i64(3, g.rows);
      }),
    ));
  });
  const len = Buffer.alloc(4);
  len.writeUInt32LE(m.bytes.length);
  out.push(Uint8Array.from(m.bytes), len, Buffer.from('PAR1'));
  return Buffer.concat(out);
}
