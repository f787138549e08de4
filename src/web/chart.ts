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
}

/**
 * Bars per category, the series side by side (cases opened and decided per week; open cases by age). Titled and
 * described for a screen reader (<title>, <desc>), each bar with its number as a tooltip, and every number in a
 * table under it, for who would rather read, or copy, them.
 */
export function barChart(o: { id: string; title: string; desc: string; categoryHeader: string; categories: readonly string[]; series: readonly BarSeries[] }): Html {
  const n = o.categories.length;
  const max = Math.max(1, ...o.series.flatMap((s) => s.values));
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const gw = iw / Math.max(1, n);
  const bw = (gw * 0.8) / o.series.length;
  // as many labels under the axis as fit side by side (at font-size 11, about 6.5 px a character); the table has them all
  const every = Math.max(1, Math.ceil((n * (Math.max(0, ...o.categories.map((c) => c.length)) * 6.5 + 8)) / iw));
  const bars = o.categories.map((c, i) =>
    o.series.map((s, j) => {
      const v = s.values[i] ?? 0;
      const h = (v / max) * ih;
      return html`<rect x="${(PAD.l + i * gw + gw * 0.1 + j * bw).toFixed(1)}" y="${(PAD.t + ih - h).toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}" data-series="${s.name}" data-value="${v}"><title>${c}: ${v} ${s.name}</title></rect>`;
    }),
  );
  return html`<figure style="margin:0"><svg role="img" aria-labelledby="${o.id}-title ${o.id}-desc" viewBox="0 0 ${W} ${H}" width="100%" style="max-width:${W}px;background:#fff">
  <title id="${o.id}-title">${o.title}</title><desc id="${o.id}-desc">${o.desc}</desc>
  <line x1="${PAD.l}" y1="${PAD.t + ih}" x2="${W - PAD.r}" y2="${PAD.t + ih}" stroke="#888"/>
  ${bars}
  <text x="${PAD.l - 6}" y="${PAD.t + 10}" text-anchor="end" font-size="11">${max}</text>
  <text x="${PAD.l - 6}" y="${PAD.t + ih}" text-anchor="end" font-size="11">0</text>
  ${o.categories.map((c, i) => (i % every === 0 ? html`<text x="${(PAD.l + i * gw + gw / 2).toFixed(1)}" y="${H - 10}" text-anchor="middle" font-size="11">${c}</text>` : ""))}
</svg><figcaption class="muted">${o.series.map((s) => html`<span style="color:${s.color}" aria-hidden="true">■</span> ${s.name} `)}(scale 0 to ${max})</figcaption></figure>
<table id="${o.id}-table"><caption class="muted">${o.title}: the numbers</caption><thead><tr><th scope="col">${o.categoryHeader}</th>${o.series.map((s) => html`<th scope="col">${s.name}</th>`)}</tr></thead><tbody>${o.categories.map(
    (c, i) => html`<tr><th scope="row">${c}</th>${o.series.map((s) => html`<td>${s.values[i] ?? 0}</td>`)}</tr>`,
  )}</tbody></table>`;
}
