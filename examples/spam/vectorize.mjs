// The spam model's input: a hashed bag of words, used by both train.ts and the audit
// ("inputs": { "preprocess": "./vectorize.mjs" }), so losslens feeds the model exactly what training did.
//
// Tokens are runs of 2–20 letters, digits, $ or ! in the lower-cased subject + raw body; each is
// hashed (FNV-1a, 32 bit) into one of 1 024 buckets; a bucket holds log(1 + count).
// The body is not decoded: base64 and HTML are read as they are, like a naive pipeline would.
export const BUCKETS = 1024;
export const shape = [BUCKETS];

function fnv1a(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export default function vectorize(record) {
  const v = new Array(BUCKETS).fill(0);
  for (const token of String(record.text ?? '').toLowerCase().match(/[a-z0-9$!]{2,20}/g) ?? []) v[fnv1a(token) % BUCKETS] += 1;
  return v.map((c) => Math.log1p(c));
}
