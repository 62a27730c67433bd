/**
 * A minimal Parquet writer for test fixtures (no Parquet writer is a dependency): flat REQUIRED
 * columns of DOUBLE or UTF-8 strings, PLAIN encoding, uncompressed, `rowGroupSize` rows per group.
 * Thrift compact protocol, written by hand, following parquet.thrift field ids.
 */
type Col = number[] | string[];

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

export function writeParquet(columns: Record<string, Col>, rowGroupSize = 1 << 20): Uint8Array {
  const names = Object.keys(columns);
  const n = columns[names[0]].length;
  const isNum = (c: Col) => typeof c[0] === 'number';
  const out: number[] = [...Buffer.from('PAR1')];
  const groups: { chunks: { offset: number; size: number; name: string }[]; rows: number }[] = [];
  for (let start = 0; start < n; start += rowGroupSize) {
    const end = Math.min(n, start + rowGroupSize);
    const chunks = names.map((name) => {
      const col = columns[name];
      const data: number[] = [];
      for (let i = start; i < end; i++) {
        if (isNum(col)) {
          const b = Buffer.alloc(8);
          b.writeDoubleLE(col[i] as number);
          data.push(...b);
        } else {
          const s = Buffer.from(col[i] as string, 'utf8');
          const len = Buffer.alloc(4);
          len.writeUInt32LE(s.length);
          data.push(...len, ...s);
        }
      }
      const h = new Thrift();
      h.struct(null, () => {
        h.i32(1, 0); // DATA_PAGE
        h.i32(2, data.length);
        h.i32(3, data.length);
        h.struct(5, () => {
          h.i32(1, end - start);
          h.i32(2, 0); // PLAIN
          h.i32(3, 3); // RLE
          h.i32(4, 3);
        });
      });
      const offset = out.length;
      out.push(...h.bytes, ...data);
      return { offset, size: h.bytes.length + data.length, name };
    });
    groups.push({ chunks, rows: end - start });
  }
  const m = new Thrift();
  m.struct(null, () => {
    m.i32(1, 1);
    m.list(2, 12, [
      () => m.struct(null, () => { m.string(4, 'schema'); m.i32(5, names.length); }),
      ...names.map((name) => () =>
        m.struct(null, () => {
          m.i32(1, isNum(columns[name]) ? 5 : 6); // DOUBLE | BYTE_ARRAY
          m.i32(3, 0); // REQUIRED
          m.string(4, name);
          if (!isNum(columns[name])) m.i32(6, 0); // UTF8
        }),
      ),
    ]);
    m.i64(3, n);
    m.list(4, 12, groups.map((g) => () =>
      m.struct(null, () => {
        m.list(1, 12, g.chunks.map((c, j) => () =>
          m.struct(null, () => {
            m.i64(2, c.offset);
            m.struct(3, () => {
              m.i32(1, isNum(columns[names[j]]) ? 5 : 6);
              m.list(2, 5, [() => m.zigzag(0)]);
              m.list(3, 8, [() => { const b = Buffer.from(c.name); m.varint(b.length); m.bytes.push(...b); }]);
              m.i32(4, 0);
              m.i64(5, g.rows);
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
  out.push(...m.bytes, ...len, ...Buffer.from('PAR1'));
  return Uint8Array.from(out);
}
