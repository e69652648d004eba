/** Rounds to `digits` decimals (figures are measured; this only trims float noise). */
export function round(value: number, digits = 2): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

/** `part` as a percentage of `whole` with one decimal (`12.5%`); `-` when `whole` is 0. */
export function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '-';
}

/** Three significant digits, no exponent: 0.0123, 1.23, 12.3, 123, 12345; `-` when not finite. */
export function num(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  const magnitude = Math.abs(value);
  if (magnitude === 0) return '0';
  if (magnitude >= 100) return String(Math.round(value));
  const decimals = Math.max(0, 2 - Math.floor(Math.log10(magnitude)));
  return value.toFixed(decimals);
}

/** Thousands separated by a thin gap for reading: 1 234 567. */
export function count(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** A signed change in percent: +12.3 %, -4.0 %. */
export function change(value: number, baseline: number): string {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return '-';
  const percentage = ((value - baseline) / baseline) * 100;
  return `${percentage >= 0 ? '+' : ''}${percentage.toFixed(1)} %`;
}

/** A ratio such as 61x or 0.52x. */
export function times(value: number): string {
  return Number.isFinite(value) ? `${num(value)}x` : '-';
}

/** Adds `by` (default 1) to `counts[key]`. */
export function tally(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}
