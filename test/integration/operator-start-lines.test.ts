// What a healthy start tells the operator who reads its log: where to probe it (/metrics, /healthz and /readyz: the
// reviewers' page had a line with its address, the metrics endpoint none, so a scrape target or a health check was
// written from the README's defaults), and which indicator sets it runs with (those of MT_INDICATORS were named
// nowhere: only a set later taken from the topic was logged, so a wrong or empty MT_INDICATORS looked like a start
// like any other). The page's line gave an IPv6 address as no URL.
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/lib/log.js";
import { createTopics, freshNames, freshSchema, startRunner } from "./harness.js";

describe("a healthy start's log", () => {
  it("gives the metrics endpoint's address and the indicator sets in force", { timeout: 120_000 }, async () => {
    const n = freshNames("start-lines");
    await createTopics(n, 2);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const lines: { msg: string; [k: string]: unknown }[] = [];
    // the page on an IPv6 address: its line gave http://::1:PORT/, which is no URL
    const runner = await startRunner(n, await freshSchema(n), { metricsPort: port, httpPort: port + 1, httpHost: "::1" }, createLogger("info", { write: (l: string) => void lines.push(JSON.parse(l)) }));
    try {
      const serving = lines.find((l) => l.msg.startsWith("/metrics, /healthz and /readyz"));
      expect(serving).toMatchObject({ url: `http://127.0.0.1:${port}/` });
      expect((await fetch(`${serving!.url as string}readyz`)).status).toBeLessThan(600);
      const page = lines.find((l) => l.msg === "reviewers' page");
      expect(page).toMatchObject({ url: `http://[::1]:${port + 1}/` });
      expect((await fetch(page!.url as string)).status).toBeLessThan(600);
      const consuming = lines.find((l) => l.msg === "consuming");
      expect(consuming).toMatchObject({ indicatorSets: [{ id: "coalition-sample-2026-03", source: "member:hotline-sample", version: 1, entries: 16 }] });
    } finally {
      await runner.stop();
    }
  });
});
