// A tuner reads a backtest's tables, but whether a change bites all along or in one burst, and on which merchants
// when, is a picture: A's and B's alerts per day side by side, those that differ striped, and a timeline of the
// merchants whose alerts differ. In the HTML as SVG (no script), on the terminal as lines of characters, in the
// JSON as `timeline`.
import { describe, expect, it } from "vitest";
import { BacktestResult } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { alertBuckets, bucketOf, bucketStarts, bucketUnit, differingAlerts } from "../src/app/alert-timeline.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { LOWER_EARLY_WARNING, sampleBacktest } from "./helpers/tuner.js";

const copy = defaultRulesCopies("backtest-alerts-over-time");
const GAINED = "acq-de:M-200005";
const DAY = 86_400_000;
const at = (s: string) => Date.parse(s);
const svgOf = (page: string, id: string) => new RegExp(`<svg role="img" aria-labelledby="${id}-title[\\s\\S]*?</svg>`).exec(page)?.[0] ?? "";

describe("alert-timeline: buckets of event time", () => {
  it("takes days up to 62 days, weeks up to 62 weeks, months beyond", () => {
    const from = at("2026-03-01T00:00:00Z");
    expect(bucketUnit(from, from + 61 * DAY)).toBe("day");
    expect(bucketUnit(from, from + 62 * DAY)).toBe("week");
    expect(bucketUnit(from, from + 433 * DAY)).toBe("week");
    expect(bucketUnit(from, from + 434 * DAY)).toBe("month");
  });

  it("starts a week on Monday and a month on its 1st, in UTC", () => {
    // a Sunday late in the evening west of UTC is Monday in UTC
    expect(bucketOf("week", at("2026-04-05T23:30:00-02:00"))).toBe("2026-04-06");
    expect(bucketOf("week", at("2026-04-05T23:30:00Z"))).toBe("2026-03-30");
    expect(bucketOf("month", at("2026-04-30T23:59:59Z"))).toBe("2026-04-01");
    expect(bucketStarts("week", at("2026-03-04T00:00:00Z"), at("2026-03-16T00:00:00Z"))).toEqual(["2026-03-02", "2026-03-09", "2026-03-16"]);
  });

  it("counts each side's alerts, and the differing ones on the side(s) that raised them", () => {
    const facts = (score: number) => ({ severity: "high", score, rules: ["r"] });
    const a = new Map([["e1#0", { at: "2026-03-01T10:00:00Z", facts: facts(70) }], ["e2#0", { at: "2026-03-03T10:00:00Z", facts: facts(70) }]]);
    const b = new Map([["e1#0", { at: "2026-03-01T10:00:00Z", facts: facts(70) }], ["e2#0", { at: "2026-03-03T10:00:00Z", facts: facts(90) }], ["e3#0", { at: "2026-03-03T11:00:00Z", facts: facts(60) }]]);
    const differing = differingAlerts(a, b);
    expect(differing.map((d) => [d.key, d.in])).toEqual([["e2#0", "both"], ["e3#0", "b"]]);
    expect(alertBuckets("day", at("2026-03-01T00:00:00Z"), at("2026-03-03T23:00:00Z"), { a: [a], b: [b] }, differing)).toEqual([
      { start: "2026-03-01", a: 1, b: 1, aDiffering: 0, bDiffering: 0 },
      { start: "2026-03-02", a: 0, b: 0, aDiffering: 0, bDiffering: 0 },
      { start: "2026-03-03", a: 1, b: 2, aDiffering: 1, bDiffering: 2 },
    ]);
  });
});

describe("backtest: alerts over event time", { timeout: 60_000 }, () => {
  it("counts A's and B's alerts per day over the events, and names the merchant that gains one, when", async () => {
    const r = BacktestResult.parse(await sampleBacktest(copy(LOWER_EARLY_WARNING)));
    const t = r.timeline;
    expect(t.span).toEqual({ from: "2026-03-01T00:00:17Z", to: "2026-04-30T23:50:19Z" });
    expect(t.bucket).toBe("day");
    expect(t.buckets).toHaveLength(61);
    expect(t.buckets[0]!.start).toBe("2026-03-01");
    // every alert of each side is counted once
    const sum = (k: "a" | "b" | "aDiffering" | "bDiffering") => t.buckets.reduce((n, x) => n + x[k], 0);
    expect(sum("a")).toBeGreaterThanOrEqual(r.overall.a.alerted);
    expect(sum("b")).toBe(sum("a") + sum("bDiffering") - sum("aDiffering"));
    const gained = t.merchants.find((m) => m.merchantId === GAINED)!;
    expect(gained).toMatchObject({ change: "gained", label: "negative" });
    expect(gained.alerts.every((x) => x.in === "b")).toBe(true);
    // its alert is counted as B's, differing, on its day
    const day = t.buckets.find((x) => x.start === gained.alerts[0]!.at.slice(0, 10))!;
    expect(day.bDiffering).toBeGreaterThanOrEqual(1);
    // the merchants alerted in both whose alerts differ are on the timeline too, as changed
    for (const m of r.alertsChanged) expect(t.merchants.find((x) => x.merchantId === m.merchantId)?.change).toBe("changed");
    expect(t.merchants.filter((m) => m.change === "gained").map((m) => m.merchantId)).toEqual(r.alertsAdded.map((m) => m.merchantId));

    // the HTML: a bar chart with axis labels, a legend and the differing alerts hatched, readable without script
    const page = backtestHtml(r);
    expect(page).not.toContain("<script");
    const bars = svgOf(page, "alerts-over-time");
    expect(bars).toContain(">alerts raised</text>");
    expect(bars).toContain(">day (event time, UTC)</text>");
    expect(bars).toMatch(new RegExp(`<g data-marked="\\d+"><title>${day.start}: \\d+ of the \\d+ B candidate not raised alike in A</title><g stroke="#fff"`));
    expect(page).toMatch(/<figcaption class="muted">.*A baseline.*B candidate.*striped across.*B candidate, not raised alike in A/);
    // the timeline: the merchant's row, its mark at the time of its alert
    const timeline = svgOf(page, "differing-alerts");
    expect(timeline).toContain(`>${GAINED} (alerted only in B)</text>`);
    expect(timeline).toContain(`<title>${GAINED} (alerted only in B): alert only in B, ${gained.alerts[0]!.at}</title>`);
    expect(timeline).toContain(">event time (UTC)</text>");
    expect(timeline).toContain(">alert only in A</text>");

    // the terminal: A's and B's days as blocks on one scale, and the merchant's line with + on the day of its alert
    const text = backtestTables(r);
    expect(text).toContain("Alerts raised per day (event time, UTC), 2026-03-01 to 2026-04-30, a character a day");
    const line = text.split("\n").find((l) => l.includes(GAINED) && l.includes("alerted only in B") && l.includes("from "))!;
    const strip = line.split(/\s+/).find((w) => w.length === 61)!;
    expect(strip.indexOf("+")).toBe(t.buckets.indexOf(day));
  });

  it("with --report-from, spans and counts from it on", async () => {
    const reportFrom = "2026-04-01T00:00:00Z";
    const r = BacktestResult.parse(await sampleBacktest(copy(LOWER_EARLY_WARNING), { reportFrom: { time: reportFrom } }));
    expect(r.timeline.buckets[0]!.start).toBe("2026-04-01");
    expect(r.timeline.buckets).toHaveLength(30);
    expect(at(r.timeline.span!.from)).toBeGreaterThanOrEqual(at(reportFrom));
  });

  it("says so where B raises every alert as A does", async () => {
    // a description changed: the rules' version differs, not what they do
    const r = BacktestResult.parse(await sampleBacktest(copy({ "sites.yaml": (t) => t.replace("description: ", "description: Edited. ") })));
    expect(r.timeline.merchants).toEqual([]);
    expect(r.timeline.buckets.reduce((n, x) => n + x.b, 0)).toBeGreaterThan(0);
    expect(backtestHtml(r)).toContain("<p>None: every alert was raised alike in A and B.</p>");
    expect(backtestTables(r)).toContain("every alert raised alike in A and B");
  });
});

// A weight raised on a rule whose merchants are alerted anyway changes no count of the summary (the same merchants,
// as early), yet moves their alerts up a severity band, which orders the reviewers' queue: the summary says so.
describe("backtest: the summary's line on alerts that differ in both", { timeout: 60_000 }, () => {
  it("counts the alerts raised at a higher or lower severity, or otherwise unlike, among the merchants alerted in both", async () => {
    const r = BacktestResult.parse(await sampleBacktest(copy({ "chargebacks.yaml": (t) => t.replace("weight: 40", "weight: 60") })));
    expect(r.alertsAdded).toEqual([]);
    expect(r.alertsChanged.map((m) => m.alerts.map((x) => [x.a?.severity, x.b?.severity]))).toEqual([[["high", "critical"]]]);
    const line = "Alerts that differ among the merchants alerted in both (1 merchant): 1 at a higher severity in B, 0 at a lower, 0 at the same severity (another score or rules), 0 raised in B only, 0 in A only.";
    expect(backtestTables(r)).toContain(line);
    expect(backtestHtml(r)).toContain(`<p>${line}</p>`);
  });
});
