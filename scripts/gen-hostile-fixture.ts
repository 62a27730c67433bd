/**
 * Generates test/fixtures/hostile: records from the wild that must render as text in the report —
 * `<script>`, `</script>` inside text, `onerror=` attributes, `javascript:` URLs, `{{handlebars}}`
 * expressions, bidi control characters, U+2028/U+2029, a 1 MB string and invalid UTF-8 — in ids,
 * class names, group values, the displayed text and the config's description. Two tiny tfjs layers
 * checkpoints (4 features → 3 classes). Deterministic.
 * Run: npx tsx scripts/gen-hostile-fixture.ts
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeNpy } from '../src/load/formats/npy.ts';
import { mulberry32 } from '../src/stats/rng.ts';
import { saveDenseCheckpoints } from './fixture-models.ts';

const OUT = new URL('../test/fixtures/hostile/', import.meta.url).pathname;
const D = 4;

/** Class names are data too: they reach axis labels, table cells and the header. */
export const CLASSES = ['<script>alert("class")</script>', '"><img src=x onerror=alert(1)>', "{{constructor.constructor('alert(1)')()}}"];

const HOSTILE: string[] = [
  '<script>alert(document.domain)</script>',
  'before </script><script>alert("breakout")</script> after',
  '<img src=x onerror=alert(2)>',
  '<svg onload=alert(3)><a xlink:href="javascript:alert(4)">x</a></svg>',
  'javascript:alert(5)',
  '<a href="javascript:alert(6)">click me</a>',
  "' onmouseover='alert(7)' x='",
  '" autofocus onfocus="alert(8)',
  '{{#each this}}{{this}}{{/each}} {{{raw}}} {{> partial}}',
  'bidi: \u202Egnp.exe\u202C \u2066isolate\u2069 \u200Fmark',
  'line\u2028separator\u2029paragraph',
  '<!-- comment --> <![CDATA[ x ]]> <style>body{display:none}</style>',
  '<iframe src="https://example.com"></iframe><link rel=stylesheet href=https://example.com/x.css>',
  '&lt;already escaped&gt; &amp; &#x3C;script&#x3E;',
  'ordinary record',
];

const rng = mulberry32(11);
const lines: Buffer[] = [Buffer.from('id,label,split,source,text\n')];
const x: number[] = [];
const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const N = 30;
for (let i = 0; i < N; i++) {
  const label = i % CLASSES.length;
  for (let j = 0; j < D; j++) x.push(Number(((j === label ? 2 : 0) + (rng() - 0.5)).toFixed(3)));
  // A few wrong labels so hostile records head the highest-loss table.
  const given = i % 5 === 1 ? (label + 1) % CLASSES.length : label;
  const id = i < HOSTILE.length ? `${HOSTILE[i]} #${i}` : `r${i}`;
  const source = ['<b>site</b>', 'javascript:void(0)', '{{site}}'][i % 3];
  // The mislabelled records (shown in the report's tables) carry the worst text.
  const shown: Record<number, string> = { 1: `1 MB: ${'<script>alert("big")</script>'.repeat(Math.ceil(2 ** 20 / 30))}`, 11: HOSTILE[0], 16: HOSTILE[2], 21: HOSTILE[5], 26: HOSTILE[8] };
  const text = shown[i] ?? HOSTILE[(i + 3) % HOSTILE.length];
  const head = Buffer.from(`${[id, CLASSES[given], i < 21 ? 'train' : 'val', source].map(quote).join(',')},`);
  // Record 6 carries bytes that are not UTF-8 (an overlong "<", a lone continuation byte, 0xFF).
  const body = i === 6 ? Buffer.concat([Buffer.from('"bad bytes: '), Buffer.from([0xc0, 0xbc, 0x80, 0xff, 0xfe]), Buffer.from('script>"')]) : Buffer.from(quote(text));
  lines.push(head, body, Buffer.from('\n'));
}
await mkdir(join(OUT, 'checkpoints'), { recursive: true });
await writeFile(join(OUT, 'records.csv'), Buffer.concat(lines));
await writeFile(join(OUT, 'inputs.npy'), encodeNpy({ dtype: 'float32', shape: [N, D], data: Float32Array.from(x) }));

await saveDenseCheckpoints(join(OUT, 'checkpoints'), D, CLASSES.length, 2, [[0, 0], [50, 3]]);
await writeFile(
  join(OUT, 'losslens.config.json'),
  `${JSON.stringify(
    {
      name: 'hostile',
      description: 'Hostile records: <script>alert("description")</script> {{description}} \u202Ereversed\u202C',
      dataset: { file: 'records.csv', split: 'split', classes: CLASSES, groupBy: ['source'] },
      inputs: { file: 'inputs.npy' },
      display: { type: 'text', column: 'text', maxChars: 4000 },
      model: { type: 'tfjs-layers', checkpoints: 'checkpoints/*/model.json' },
      evaluate: { split: 'val' },
      analysis: { topK: 30 },
      seed: 5,
    },
    null,
    2,
  )}\n`,
);
process.stderr.write(`wrote ${OUT}\n`);
