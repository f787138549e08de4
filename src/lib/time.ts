// RFC 3339 timestamps to epoch milliseconds. Every event carries one; Date.parse costs several times more than
// reading the digits, so the common UTC form ("2026-03-02T10:15:00Z", with or without fractions) is read here
// and anything else falls back to Date.parse.
const digit = (s: string, i: number): number => s.charCodeAt(i) - 48;
const two = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1);
const year = (s: string): number => digit(s, 0) * 1000 + digit(s, 1) * 100 + two(s, 2);
/** Date.UTC's bound (TimeClip): beyond it, NaN */
const MAX_TIME = 8.64e15;

// Events come roughly in time order, so most fall on the day of the one before: its start (Date.UTC of the date alone,
// a call into the runtime) is kept with the date's text. Date.UTC of a date and a time is that start plus the time.
let lastDate = "";
let lastDayStart = NaN;

export function parseTime(s: string): number {
  const n = s.length;
  if (n >= 20 && s.charCodeAt(n - 1) === 90 /* Z */ && s.charCodeAt(10) === 84 /* T */ && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) {
    let ms = 0;
    if (n > 20) {
      if (s.charCodeAt(19) !== 46 /* . */) return Date.parse(s);
      // milliseconds from the first three fraction digits, padded
      for (let i = 20, scale = 100; i < n - 1 && scale >= 1; i++, scale /= 10) ms += digit(s, i) * scale;
    }
    if (!s.startsWith(lastDate) || lastDate === "") {
      lastDate = s.slice(0, 10);
      lastDayStart = Date.UTC(year(s), two(s, 5) - 1, two(s, 8));
    }
    let t = lastDayStart + two(s, 11) * 3_600_000 + two(s, 14) * 60_000 + two(s, 17) * 1000 + ms;
    // at Date.UTC's bound the date's start alone may be out of it where the whole time is not: asked whole
    if (!(t >= -MAX_TIME && t <= MAX_TIME)) t = Date.UTC(year(s), two(s, 5) - 1, two(s, 8), two(s, 11), two(s, 14), two(s, 17), ms);
    if (t === t) return t;
  }
  return Date.parse(s);
}
