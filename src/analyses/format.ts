/** Number formatting for the plain-language sentences analyses write. */
/** "12.3 %"; a share too small to show at `digits` is "<0.1 %", not "0.0 %" (119 of a million records are not none). */
export const pct = (x: number, digits = 1): string => {
  if (!Number.isFinite(x)) return 'n/a';
  const step = 10 ** -digits;
  if (x !== 0 && Math.abs(100 * x) < step / 2) return `${x < 0 ? '>-' : '<'}${step.toFixed(digits)} %`;
  return `${(100 * x).toFixed(digits)} %`;
};
export const fix = (x: number, digits = 3): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
export const int = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
export const plural = (n: number, one: string, many = `${one}s`): string => `${int(n)} ${n === 1 ? one : many}`;
