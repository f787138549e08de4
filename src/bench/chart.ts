// Line charts as standalone SVG for the benchmark records (docs/*.svg): panels stacked over one x axis, each with
// its own y scale, shaded bands and a legend of every series. No dependency: the records must render on GitHub.

export interface Series {
  label: string;
  colour: string;
  /** stroke-dasharray, e.g. "4,3" */
  dash?: string;
  /** [x, y]; a y that is not finite lifts the pen */
  points: [number, number][];
}

export interface Band {
  from: number;
  to: number;
  label: string;
  opacity: number;
}

export interface Panel {
  label: string;
  height: number;
  series: Series[];
  bands?: Band[];
  /** the y axis reaches at least this high */
  minTop?: number;
}

export interface ChartOptions {
  title: string;
  subtitle: string;
  xLabel: string;
  xMax: number;
  /** a dotted vertical line across every panel at this x (e.g. where production stopped) */
  marker?: number;
  panels: Panel[];
}

const W = 960;
const LEFT = 70;
const RIGHT = 20;
const PLOT_W = W - LEFT - RIGHT;
const FIRST_TOP = 70;
const GAP = 60;

/** A round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` steps up to `max`. */
export function niceStep(max: number, ticks = 5): number {
  const raw = max / ticks || 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const num = (n: number) => Math.round(n).toLocaleString("en-US");
const tick = (x: number) => String(Number(x.toFixed(2)));

export function lineChart(o: ChartOptions): string {
  let top = FIRST_TOP;
  const tops = o.panels.map((p) => {
    const t = top;
    top += p.height + GAP;
    return t;
  });
  const H = top - GAP + 80;
  const xStep = niceStep(o.xMax, 10);
  const X = (x: number) => LEFT + (x / o.xMax) * PLOT_W;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${LEFT}" y="24" font-size="16" font-weight="bold">${esc(o.title)}</text>`,
    `<text x="${LEFT}" y="44" fill="#555">${esc(o.subtitle)}</text>`,
  ];
  o.panels.forEach((p, i) => {
    const t = tops[i]!;
    const vals = p.series.flatMap((s) => s.points.map(([, y]) => y)).filter(Number.isFinite);
    const yMax = Math.max(p.minTop ?? 1, ...vals) * 1.05;
    const yStep = niceStep(yMax, 5);
    const yTop = Math.max(yStep, Math.ceil(yMax / yStep) * yStep);
    const Y = (v: number) => t + p.height - (v / yTop) * p.height;
    out.push(`<text x="${LEFT}" y="${t - 8}" font-weight="bold">${esc(p.label)}</text>`);
    for (let v = 0; v <= yTop + 1e-9; v += yStep) {
      out.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${Y(v).toFixed(1)}" y2="${Y(v).toFixed(1)}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${LEFT - 6}" y="${(Y(v) + 4).toFixed(1)}" text-anchor="end" fill="#555">${num(v)}</text>`);
    }
    for (let x = 0; x <= o.xMax + 1e-9; x += xStep) {
      out.push(`<line x1="${X(x).toFixed(1)}" x2="${X(x).toFixed(1)}" y1="${t}" y2="${t + p.height}" stroke="#f0f0f0"/>`);
      out.push(`<text x="${X(x).toFixed(1)}" y="${t + p.height + 16}" text-anchor="middle" fill="#555">${tick(x)}</text>`);
    }
    out.push(`<rect x="${LEFT}" y="${t}" width="${PLOT_W}" height="${p.height}" fill="none" stroke="#999"/>`);
    if (o.marker !== undefined)
      out.push(`<line x1="${X(o.marker).toFixed(1)}" x2="${X(o.marker).toFixed(1)}" y1="${t}" y2="${t + p.height}" stroke="#555" stroke-dasharray="2,3"/>`);
    for (const b of p.bands ?? []) {
      out.push(`<rect x="${X(b.from).toFixed(1)}" y="${t}" width="${(X(b.to) - X(b.from)).toFixed(1)}" height="${p.height}" fill="#000" fill-opacity="${b.opacity}"/>`);
      out.push(`<text x="${((X(b.from) + X(b.to)) / 2).toFixed(1)}" y="${t + 14}" text-anchor="middle" fill="#888" font-size="11">${esc(b.label)}</text>`);
    }
    for (const s of p.series) {
      const d: string[] = [];
      let pen = "M";
      for (const [x, y] of s.points) {
        if (!Number.isFinite(y)) {
          pen = "M";
          continue;
        }
        d.push(`${pen}${X(x).toFixed(1)},${Y(y).toFixed(1)}`);
        pen = "L";
      }
      out.push(`<path d="${d.join(" ")}" fill="none" stroke="${s.colour}" stroke-width="1.6"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`);
    }
  });
  out.push(`<text x="${LEFT + PLOT_W / 2}" y="${H - 46}" text-anchor="middle" fill="#555">${esc(o.xLabel)}</text>`);
  let lx = LEFT;
  let ly = H - 26;
  for (const s of o.panels.flatMap((p) => p.series)) {
    const width = 34 + s.label.length * 6.2;
    if (lx + width > W - RIGHT) {
      lx = LEFT;
      ly += 16;
    }
    out.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.colour}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`);
    out.push(`<text x="${lx + 26}" y="${ly}" font-size="11">${esc(s.label)}</text>`);
    lx += width;
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}
