// Results of a pure function of a string, remembered for the arguments seen lately. Traffic repeats the same
// checkout URLs, referrers and hosts far more than it varies, and parsing a URL, walking the public-suffix list or
// hashing a domain costs microseconds each time. Two generations of at most `cap` entries: when the young one is
// full it becomes the old one and the previous old one is dropped, so memory stays within 2 x cap entries while an
// argument still in use is carried over into the young generation.
export class Memo<T> {
  private young = new Map<string, T>();
  private old = new Map<string, T>();
  hits = 0;
  misses = 0;

  /** The memos in use by name (the latest of a name), for the metrics: they fill up to 2 x cap and then stay. */
  static readonly named = new Map<string, Memo<unknown>>();

  constructor(
    private readonly cap: number,
    private readonly f: (s: string) => T,
    name?: string,
  ) {
    if (name) Memo.named.set(name, this as Memo<unknown>);
  }

  /**
   * Runs `f` with its lookups left out of every named memo's counts: a warm-up on synthetic events is not traffic,
   * and counted it skewed the hit ratio on /metrics from the start. Its entries stay (bounded, they age out).
   */
  static uncounted<R>(f: () => R): R {
    const before = [...Memo.named.values()].map((m) => ({ m, hits: m.hits, misses: m.misses }));
    try {
      return f();
    } finally {
      for (const b of before) {
        b.m.hits = b.hits;
        b.m.misses = b.misses;
      }
    }
  }

  get(s: string): T {
    let v = this.young.get(s);
    if (v !== undefined) {
      this.hits++;
      return v;
    }
    v = this.old.get(s);
    if (v === undefined) {
      this.misses++;
      v = this.f(s);
    } else this.hits++;
    if (this.young.size >= this.cap) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(s, v);
    return v;
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }
}

/**
 * A pure function of a string with its last answer kept: an argument asked about again at once (the rules reading the
 * same descriptor of one event) costs one comparison, with no map to look in and nothing to bound.
 */
export class Last<T> {
  private arg: string | undefined;
  private value: T | undefined;

  constructor(private readonly f: (s: string) => T) {}

  get(s: string): T {
    if (s !== this.arg) {
      this.value = this.f(s);
      this.arg = s;
    }
    return this.value as T;
  }
}
