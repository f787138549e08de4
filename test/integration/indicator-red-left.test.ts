// A member runs its consumers with its full set in MT_INDICATORS (TLP:RED entries among them) and publishes the
// export of its next version, which never carries them: its own consumers take that version from the topic, and its
// RED entries stop matching. They did so silently; the consumer now says so at warn, with what to do.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { publishSet } from "../../src/indicators/distribution.js";
import { shareable } from "../../src/indicators/privacy.js";
import { createLogger } from "../../src/lib/log.js";
import { hotlineSet } from "../helpers/events.js";
import { createTopics, freshNames, freshSchema, kafka, startRunner, until } from "./harness.js";

const FULL = hotlineSet({
  id: "hotline-a-2026-12",
  created: "2026-12-01T00:00:00Z",
  entries: [
    { id: "a-1", kind: "domain", value: "flagged-gallery.example", confidence: 90, tlp: "amber" },
    { id: "a-2", kind: "keyword", value: "tokalpha", confidence: 90, tlp: "red" },
  ],
});

describe("a member's own TLP:RED entries", () => {
  it("leaving force when its export of a newer version comes back from the topic: said at warn", { timeout: 120_000 }, async () => {
    const n = freshNames("red-left");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const topic = `${n.id}.indicator-sets`;
    const dir = mkdtempSync(join(tmpdir(), "mt-red-"));
    writeFileSync(join(dir, "full.json"), JSON.stringify(FULL));
    const logged: { msg: string; set?: string; red?: string[] }[] = [];
    const runner = await startRunner(n, url, { indicators: dir, indicatorTopic: topic, trustStore: undefined }, createLogger("warn", { write: (line: string) => void logged.push(JSON.parse(line)) }));
    try {
      await publishSet(kafka(), topic, shareable({ ...FULL, version: 2 }));
      await until("version 2 in force", () => runner.indicatorSets.some((s) => s.version === 2));
      await until("the warning", () => logged.some((l) => l.set === FULL.id && l.red !== undefined));
      const warning = logged.find((l) => l.set === FULL.id && l.red !== undefined)!;
      expect(warning.red).toEqual(["a-2"]);
      expect(warning.msg).toBe(
        "indicator set taken from the topic without TLP:RED entries of the version it replaces (they never travel), which no longer match here: put the full version of the set in MT_INDICATORS and restart",
      );
    } finally {
      await runner.stop();
    }
  });
});
