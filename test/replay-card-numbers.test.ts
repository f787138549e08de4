// A producer may type a card number (PAN) into an event's free text: a descriptor, a legal name, a website, a
// checkout or referrer address, a crawl's linked address. Decode truncates it to its first six and last four digits
// before the engine sees the event, so that no state, alert, table or file holds it; a rejected line keeps its bytes
// (as a dead letter does, to be sent again), but its reason, which may quote them, does not hold the number.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replay } from "../src/app/replay.js";
import { flaggedTable } from "../src/app/table.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { PAN, SHOWN, SPACED, cardNumberIndicators, eventsWithCardNumbers, holdsPan } from "./helpers/card-number-events.js";

describe("replay of events with a card number in their free text", () => {
  it("writes alerts, table and reject reasons with it truncated; a rejected line keeps its bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-replay-pan-"));
    const bad = [`=${PAN}`, `{"type":"merchant","descriptor":"${SPACED}"`];
    writeFileSync(join(dir, "events.ndjson"), `${[...eventsWithCardNumbers().map((e) => JSON.stringify(e)), ...bad].join("\n")}\n`);
    const s = await replay({
      events: join(dir, "events.ndjson"),
      out: join(dir, "alerts.ndjson"),
      rejects: join(dir, "rejects.ndjson"),
      ruleSet: loadRuleSet(DEFAULT_RULES),
      indicators: cardNumberIndicators(),
      progress: false,
    });
    expect({ events: s.events, rejected: s.rejected }).toEqual({ events: 3, rejected: 2 });

    const alerts = readFileSync(join(dir, "alerts.ndjson"), "utf8");
    expect(holdsPan(alerts)).toBe(false);
    const last = JSON.parse(alerts.trim().split("\n").at(-1)!);
    expect(last.context.profile).toMatchObject({ descriptor: `TOKALPHA ${SHOWN}`, legalName: `Shop ${SHOWN} BV`, websites: [`https://shop.example/?ref=${SHOWN}`] });
    expect(last.context.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "transaction", descriptor: `TOKALPHA*${SHOWN}`, checkoutUrl: `https://pay.example/c?card=${SHOWN}`, referrerUrl: `https://flagged-ref.example/r?pan=${SHOWN}` }),
        expect.objectContaining({ type: "site_observation", url: `https://shop.example/search?q=${SHOWN}`, linkedUrls: [`https://flagged-gallery.example/g?n=${SHOWN}`] }),
      ]),
    );
    // the rules that quote the merchant's text still see it, as the producer wrote it but for the number
    expect(last.signals.map((x: { rule: string }) => x.rule)).toEqual(expect.arrayContaining(["descriptor-keywords", "flagged-site-link"]));

    const table = flaggedTable(s.latest.values(), loadRuleSet(DEFAULT_RULES).settings.scoring, 200);
    expect(holdsPan(table)).toBe(false);
    expect(table).toContain(SHOWN);

    const rejects = readFileSync(join(dir, "rejects.ndjson"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { reason: string; raw: string });
    expect(rejects.map((r) => r.raw)).toEqual(bad);
    for (const r of rejects) expect(holdsPan(r.reason), r.reason).toBe(false);
    expect(rejects[0]!.reason).toContain(SHOWN);
  });
});
