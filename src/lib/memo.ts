// Results of a pure function of a string, remembered for the arguments seen lately. Traffic repeats the same
// checkout URLs, referrers and hosts far more than it varies, and parsing a URL, walking the public-suffix list or
// hashing a domain costs microseconds each time. Two generations of at most `cap` entries: when the young one is
// full it becomes the old one and the previous old one is dropped, so memory stays within 2 x cap entries while an
// argument still in use is carried over into the young generation.
export class Memo<T> {
  private young = new Map<string, T>();
  private old = new Map<string, T>();

  constructor(
    private readonly cap: number,
    private readonly f: (s: string) => T,
  ) {}

  get(s: string): T {
    let v = this.young.get(s);
    if (v !== undefined) return v;
    v = this.old.get(s);
    if (v === undefined) v = this.f(s);
    if (this.young.size >= this.cap) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(s, v);
    return v;
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }
}
