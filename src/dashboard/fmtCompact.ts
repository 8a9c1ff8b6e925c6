/** 10_123_456 → "10.1M", 52_000_000 bytes with unit "B" → "52.0MB"; for headers where width is scarce. */
export function fmtCompact(n: number, unit = ''): string {
  if (!Number.isFinite(n)) return '?';
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(2)}G${unit}`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(1)}M${unit}`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k${unit}`;
  return `${Math.round(n)}${unit}`;
}
