// Order statistics for the benchmarks' reports.

/** The nearest-rank percentile (0 < p <= 1) of an ascending list; NaN when it is empty. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}
