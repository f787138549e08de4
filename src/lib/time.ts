// RFC 3339 timestamps to epoch milliseconds. Every event carries one; Date.parse costs several times more than
// reading the digits, so the common UTC form ("2026-03-02T10:15:00Z", with or without fractions) is read here
// and anything else falls back to Date.parse.
const digit = (s: string, i: number): number => s.charCodeAt(i) - 48;
const two = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1);

export function parseTime(s: string): number {
  const n = s.length;
  if (n >= 20 && s.charCodeAt(n - 1) === 90 /* Z */ && s.charCodeAt(10) === 84 /* T */ && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) {
    let ms = 0;
    if (n > 20) {
      if (s.charCodeAt(19) !== 46 /* . */) return Date.parse(s);
      // milliseconds from the first three fraction digits, padded
      for (let i = 20, scale = 100; i < n - 1 && scale >= 1; i++, scale /= 10) ms += digit(s, i) * scale;
    }
    const t = Date.UTC(digit(s, 0) * 1000 + digit(s, 1) * 100 + two(s, 2), two(s, 5) - 1, two(s, 8), two(s, 11), two(s, 14), two(s, 17), ms);
    if (t === t) return t;
  }
  return Date.parse(s);
}
