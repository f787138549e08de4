// The benchmark records' SVG line charts.
import { describe, it, expect } from "vitest";
import { lineChart, niceStep } from "../src/bench/chart.js";

describe("lineChart", () => {
  it("picks round axis steps", () => {
    expect([niceStep(60, 10), niceStep(800, 5), niceStep(0.9, 5), niceStep(1300, 5)]).toEqual([10, 200, 0.2, 500]);
  });

  it("draws each series with a gap where a value is missing, the bands, the marker and a legend entry per series", () => {
    const svg = lineChart({
      title: "Latency & alerts",
      subtitle: "a <test>",
      xLabel: "seconds",
      xMax: 10,
      marker: 8,
      panels: [
        {
          label: "ms",
          height: 100,
          series: [{ label: "p99", colour: "#d62728", points: [[0, 100], [5, NaN], [10, 200]] }],
          bands: [{ from: 0, to: 2, label: "cold start", opacity: 0.05 }],
        },
        { label: "alerts/s", height: 50, series: [{ label: "alerts", colour: "#ff7f0e", dash: "4,3", points: [[0, 1], [10, 2]] }] },
      ],
    });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("Latency &amp; alerts");
    expect(svg).toContain("a &lt;test&gt;");
    // the missing value lifts the pen: two moves, no line across it
    const p99 = svg.split("\n").find((l) => l.includes('stroke="#d62728" stroke-width="1.6"'))!;
    expect(p99.match(/M/g)).toHaveLength(2);
    expect(p99).not.toContain("L");
    expect(svg).toContain(">cold start</text>");
    expect(svg.match(/stroke-dasharray="2,3"/g)).toHaveLength(2); // the marker, once per panel
    expect(svg).toContain(">p99</text>");
    expect(svg).toContain(">alerts</text>");
  });
});
