// A small inline SVG chart of a merchant's daily sales (bars) and chargebacks (line): a reviewer sees a spike or a
// dispute wave at a glance. Drawn on the server, so it needs no script and prints. Its numbers are also a table: a
// screen reader reads the picture (role="img") as its label only.
import { UTCDate } from "@date-fns/utc";
import { eachDayOfInterval } from "date-fns/eachDayOfInterval";
import { formatISO } from "date-fns/formatISO";
import { html, type Html } from "./html.js";
import type { AlertContext } from "../decode/events.js";

const W = 720;
const H = 200;
const PAD = { l: 44, r: 44, t: 14, b: 30 };
// the case chart names its two scales beside them (vertical), which the margins make room for
const ACTIVITY_PAD = { ...PAD, l: 60, r: 60 };
const SALES = "#2b5d9c";
const CHARGEBACKS = "#b91c1c";
const counted = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** `print`: the table of days unfolded, as paper has no tooltips and cannot unfold it. */
export function activityChart(days: AlertContext["activity"], print = false): Html {
  if (days.length === 0) return html`<p class="muted">No sales or chargebacks in the merchant's recent history.</p>`;
  // a continuous day axis: days without activity are zero, not skipped
  const byDay = new Map(days.map((d) => [d.day, d]));
  const series = eachDayOfInterval({ start: new UTCDate(days[0]!.day), end: new UTCDate(days[days.length - 1]!.day) }).map((d) => {
    const day = formatISO(d, { representation: "date" });
    return { day, sales: byDay.get(day)?.sales ?? 0, chargebacks: byDay.get(day)?.chargebacks ?? 0 };
  });
  const n = series.length;
  const maxSales = Math.max(1, ...series.map((d) => d.sales));
  const maxCb = Math.max(1, ...series.map((d) => d.chargebacks));
  const P = ACTIVITY_PAD;
  const iw = W - P.l - P.r;
  const ih = H - P.t - P.b;
  const bw = iw / n;
  const x = (i: number) => P.l + i * bw;
  const bars = series.map((d, i) => {
    const h = (d.sales / maxSales) * ih;
    return html`<rect x="${(x(i) + bw * 0.1).toFixed(1)}" y="${(P.t + ih - h).toFixed(1)}" width="${(bw * 0.8).toFixed(1)}" height="${h.toFixed(1)}" fill="#5f8bc6"><title>${d.day}: ${d.sales} sales, ${d.chargebacks} chargebacks</title></rect>`;
  });
  const points = series.map((d, i) => `${(x(i) + bw / 2).toFixed(1)},${(P.t + ih - (d.chargebacks / maxCb) * ih).toFixed(1)}`).join(" ");
  const ticks = [0, Math.floor((n - 1) / 2), n - 1].filter((v, i, a) => a.indexOf(v) === i);
  const first = series[0]!.day;
  const last = series[n - 1]!.day;
  return html`<figure style="margin:0"><svg role="img" aria-labelledby="activity-title activity-desc" viewBox="0 0 ${W} ${H}" width="100%" style="max-width:${W}px;background:#fff">
  <title id="activity-title">Daily sales and chargebacks</title><desc id="activity-desc">${n} day${n === 1 ? "" : "s"} from ${first} to ${last}: at most ${maxSales} sales and ${maxCb} chargebacks in a day. Each day's numbers are in the table under the chart.</desc>
  <line x1="${P.l}" y1="${P.t + ih}" x2="${W - P.r}" y2="${P.t + ih}" stroke="#888"/>
  ${bars}
  <polyline points="${points}" fill="none" stroke="${CHARGEBACKS}" stroke-width="2"/>
  <text x="${P.l - 6}" y="${P.t + 10}" text-anchor="end" font-size="11" fill="${SALES}">${maxSales}</text>
  <text x="${P.l - 6}" y="${P.t + ih}" text-anchor="end" font-size="11" fill="${SALES}">0</text>
  <text x="14" y="${P.t + ih / 2}" transform="rotate(-90 14 ${P.t + ih / 2})" text-anchor="middle" font-size="11" fill="${SALES}">sales a day (bars)</text>
  <text x="${W - P.r + 6}" y="${P.t + 10}" font-size="11" fill="${CHARGEBACKS}">${maxCb}</text>
  <text x="${W - P.r + 6}" y="${P.t + ih}" font-size="11" fill="${CHARGEBACKS}">0</text>
  <text x="${W - 14}" y="${P.t + ih / 2}" transform="rotate(90 ${W - 14} ${P.t + ih / 2})" text-anchor="middle" font-size="11" fill="${CHARGEBACKS}">chargebacks a day (line)</text>
  ${ticks.map((i) => html`<text x="${(x(i) + bw / 2).toFixed(1)}" y="${H - 10}" text-anchor="middle" font-size="11">${series[i]!.day}</text>`)}
</svg><figcaption class="muted">Bars: sales per day, on the left scale (0 to ${maxSales}). Red line: chargebacks per day, on a scale of its own, the right one (0 to ${maxCb}): the line at the top is ${counted(maxCb, "chargeback", "chargebacks")}, where a bar at the top is ${counted(maxSales, "sale", "sales")}. As of the latest alert.</figcaption>
<details${print ? html` open` : ""}><summary>The same days as a table</summary><table><caption class="vh">Daily sales and chargebacks</caption><thead><tr><th scope="col">Day (UTC)</th><th scope="col">Sales</th><th scope="col">Chargebacks</th></tr></thead><tbody>${series.map(
    (d) => html`<tr><td>${d.day}</td><td>${d.sales}</td><td>${d.chargebacks}</td></tr>`,
  )}</tbody></table></details></figure>`;
}

/** One series of a bar chart: a value per category. */
export interface BarSeries {
  name: string;
  color: string;
  values: readonly number[];
  /** the part of each bar to mark (hatched, at its top), e.g. a backtest's alerts the other set did not raise alike */
  marked?: { name: string; values: readonly number[] };
}

/**
 * A bar's marked part, hatched: white stripes across it every 3 px, told apart without colour. Drawn as lines rather
 * than an SVG pattern, whose url(#…) reference a self-contained page (a backtest report) is checked to have none of.
 */
function hatch(x: number, y: number, w: number, h: number): Html {
  const lines: Html[] = [];
  for (let ly = y + Math.min(1.5, h / 2); ly < y + h; ly += 3) lines.push(html`<line x1="${x.toFixed(1)}" y1="${ly.toFixed(1)}" x2="${(x + w).toFixed(1)}" y2="${ly.toFixed(1)}"/>`);
  return html`<g stroke="#fff" stroke-width="1.2">${lines}</g>`;
}

/**
 * Bars per category, the series side by side (cases opened and decided per week; open cases by age; a backtest's
 * alerts per day in A and B). Titled and described for a screen reader (<title>, <desc>), each bar with its number as
 * a tooltip, and every number in a table under it, for who would rather read, or copy, them (`folded`: in a
 * <details>, for a long one beside other tables). `xLabel` and `yLabel` name the axes; a series' `marked` part is
 * striped across, and the caption says what the stripes mean.
 */
export function barChart(o: {
  id: string;
  title: string;
  desc: string;
  categoryHeader: string;
  categories: readonly string[];
  series: readonly BarSeries[];
  xLabel?: string;
  yLabel?: string;
  folded?: boolean;
}): Html {
  const n = o.categories.length;
  const max = Math.max(1, ...o.series.flatMap((s) => s.values));
  const P = { ...PAD, l: o.yLabel ? ACTIVITY_PAD.l : PAD.l, b: o.xLabel ? PAD.b + 16 : PAD.b };
  const h = H + (o.xLabel ? 16 : 0);
  const iw = W - P.l - P.r;
  const ih = h - P.t - P.b;
  const gw = iw / Math.max(1, n);
  const bw = (gw * 0.8) / o.series.length;
  // as many labels under the axis as fit side by side (at font-size 11, about 6.5 px a character); the table has them all
  const every = Math.max(1, Math.ceil((n * (Math.max(0, ...o.categories.map((c) => c.length)) * 6.5 + 8)) / iw));
  const bars = o.categories.map((c, i) =>
    o.series.map((s, j) => {
      const v = s.values[i] ?? 0;
      const bh = (v / max) * ih;
      const x = P.l + i * gw + gw * 0.1 + j * bw;
      const m = Math.min(v, s.marked?.values[i] ?? 0);
      const y = P.t + ih - bh;
      return html`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bw.toFixed(1)}" height="${bh.toFixed(1)}" fill="${s.color}" data-series="${s.name}" data-value="${v}"><title>${c}: ${v} ${s.name}</title></rect>${
        m ? html`<g data-marked="${m}"><title>${c}: ${m} of the ${v} ${s.name} ${s.marked!.name}</title>${hatch(x, y, bw, (m / max) * ih)}</g>` : ""
      }`;
    }),
  );
  const table = html`<table id="${o.id}-table"><caption class="muted">${o.title}: the numbers</caption><thead><tr><th scope="col">${o.categoryHeader}</th>${o.series.map(
    (s) => html`<th scope="col">${s.name}</th>${s.marked ? html`<th scope="col">${s.name}: ${s.marked.name}</th>` : ""}`,
  )}</tr></thead><tbody>${o.categories.map(
    (c, i) => html`<tr><th scope="row">${c}</th>${o.series.map((s) => html`<td>${s.values[i] ?? 0}</td>${s.marked ? html`<td>${s.marked.values[i] ?? 0}</td>` : ""}`)}</tr>`,
  )}</tbody></table>`;
  return html`<figure style="margin:0"><svg role="img" aria-labelledby="${o.id}-title ${o.id}-desc" viewBox="0 0 ${W} ${h}" width="100%" style="max-width:${W}px;background:#fff">
  <title id="${o.id}-title">${o.title}</title><desc id="${o.id}-desc">${o.desc}</desc>
  <line x1="${P.l}" y1="${P.t + ih}" x2="${W - P.r}" y2="${P.t + ih}" stroke="#888"/>
  ${bars}
  <text x="${P.l - 6}" y="${P.t + 10}" text-anchor="end" font-size="11">${max}</text>
  <text x="${P.l - 6}" y="${P.t + ih}" text-anchor="end" font-size="11">0</text>${
    o.yLabel ? html`\n  <text x="14" y="${P.t + ih / 2}" transform="rotate(-90 14 ${P.t + ih / 2})" text-anchor="middle" font-size="11">${o.yLabel}</text>` : ""
  }
  ${o.categories.map((c, i) => (i % every === 0 ? html`<text x="${(P.l + i * gw + gw / 2).toFixed(1)}" y="${H - 10}" text-anchor="middle" font-size="11">${c}</text>` : ""))}${
    o.xLabel ? html`\n  <text x="${P.l + iw / 2}" y="${h - 8}" text-anchor="middle" font-size="11">${o.xLabel}</text>` : ""
  }
</svg><figcaption class="muted">${o.series.map((s) => html`<span style="color:${s.color}" aria-hidden="true">■</span> ${s.name} `)}(scale 0 to ${max})${
    o.series.some((s) => s.marked)
      ? html`; striped across (<span aria-hidden="true">▤</span>), the top of a bar: ${o.series.filter((s) => s.marked).map((s) => `${s.name}, ${s.marked!.name}`).join("; ")}`
      : ""
  }</figcaption></figure>
${o.folded ? html`<details><summary>The same as a table</summary>${table}</details>` : table}`;
}

/** A kind of mark on a timeline: its name in the legend and the table, and a shape told apart without colour. */
export interface TimelineKind {
  name: string;
  color: string;
  shape: "up" | "down" | "diamond";
}

const SHAPE: Record<TimelineKind["shape"], (x: number, y: number) => string> = {
  up: (x, y) => `M${x.toFixed(1)},${y - 5} L${(x + 5).toFixed(1)},${y + 4} L${(x - 5).toFixed(1)},${y + 4} Z`,
  down: (x, y) => `M${x.toFixed(1)},${y + 5} L${(x + 5).toFixed(1)},${y - 4} L${(x - 5).toFixed(1)},${y - 4} Z`,
  diamond: (x, y) => `M${x.toFixed(1)},${y - 5} L${(x + 5).toFixed(1)},${y} L${x.toFixed(1)},${y + 5} L${(x - 5).toFixed(1)},${y} Z`,
};
const DAY_MS = 86_400_000;
const TIMELINE_ROW = 18;
const TIMELINE_PLOT = 560;

/**
 * Marks on a time axis, a row each (a backtest's merchants whose alerts differ, each mark one alert): when things
 * happened, all along or in a burst. Days from `from` to `to` (ms, UTC), ticked and labelled; a legend of the kinds
 * over it; every mark in a table under it, folded.
 */
export function timelineChart<K extends string>(o: {
  id: string;
  title: string;
  desc: string;
  rowHeader: string;
  xLabel: string;
  from: number;
  to: number;
  kinds: Record<K, TimelineKind>;
  rows: readonly { label: string; marks: readonly { at: number; kind: K }[] }[];
}): Html {
  const start = Math.floor(o.from / DAY_MS) * DAY_MS;
  const days = Math.max(1, Math.floor(o.to / DAY_MS) + 1 - start / DAY_MS);
  const labelW = Math.max(100, 12 + Math.ceil(6.5 * Math.max(0, ...o.rows.map((r) => r.label.length))));
  const w = labelW + TIMELINE_PLOT + 24;
  const top = 34;
  const h = top + o.rows.length * TIMELINE_ROW + 44;
  const X = (ms: number) => labelW + ((ms - start) / (days * DAY_MS)) * TIMELINE_PLOT;
  const axis = top + o.rows.length * TIMELINE_ROW;
  const step = Math.ceil(days / 5);
  const ticks = Array.from({ length: Math.floor(days / step) + 1 }, (_, i) => start + i * step * DAY_MS);
  const date = (ms: number) => formatISO(new UTCDate(ms), { representation: "date" });
  const time = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
  const kinds = Object.entries(o.kinds) as [K, TimelineKind][];
  let lx = labelW;
  const legend = kinds.map(([, k]) => {
    const x = lx;
    lx += 30 + k.name.length * 6.5;
    return html`<path d="${SHAPE[k.shape](x + 6, 14)}" fill="${k.color}"/><text x="${x + 16}" y="18" font-size="11">${k.name}</text>`;
  });
  const rows = o.rows.map((r, i) => {
    const y = top + i * TIMELINE_ROW + TIMELINE_ROW / 2;
    return html`<text x="${labelW - 8}" y="${y + 4}" text-anchor="end" font-size="11">${r.label}</text><line x1="${labelW}" y1="${y}" x2="${labelW + TIMELINE_PLOT}" y2="${y}" stroke="#eef0f3"/>${r.marks.map(
      (m) => html`<path d="${SHAPE[o.kinds[m.kind].shape](X(m.at), y)}" fill="${o.kinds[m.kind].color}" data-kind="${m.kind}"><title>${r.label}: ${o.kinds[m.kind].name}, ${time(m.at)}</title></path>`,
    )}`;
  });
  return html`<figure style="margin:0"><svg role="img" aria-labelledby="${o.id}-title ${o.id}-desc" viewBox="0 0 ${w} ${h}" width="100%" style="max-width:${w}px;background:#fff">
  <title id="${o.id}-title">${o.title}</title><desc id="${o.id}-desc">${o.desc}</desc>
  ${legend}
  ${rows}
  <line x1="${labelW}" y1="${axis}" x2="${labelW + TIMELINE_PLOT}" y2="${axis}" stroke="#888"/>
  ${ticks.map((t) => html`<line x1="${X(t).toFixed(1)}" y1="${top}" x2="${X(t).toFixed(1)}" y2="${axis + 4}" stroke="#d5d9e0"/><text x="${X(t).toFixed(1)}" y="${axis + 16}" text-anchor="middle" font-size="11">${date(t)}</text>`)}
  <text x="${labelW + TIMELINE_PLOT / 2}" y="${h - 8}" text-anchor="middle" font-size="11">${o.xLabel}</text>
</svg></figure>
<details><summary>The same as a table</summary><table id="${o.id}-table"><caption class="muted">${o.title}: every mark</caption><thead><tr><th scope="col">${o.rowHeader}</th><th scope="col">Time (UTC)</th><th scope="col">What</th></tr></thead><tbody>${o.rows.flatMap((r) =>
    r.marks.map((m) => html`<tr><th scope="row">${r.label}</th><td>${time(m.at)}</td><td>${o.kinds[m.kind].name}</td></tr>`),
  )}</tbody></table></details>`;
}
