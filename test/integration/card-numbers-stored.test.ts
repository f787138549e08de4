// A bank's PCI assessor wants no card number (PAN) stored anywhere: a producer that typed one into an event's free
// text (a descriptor, a legal name, an address) must not put it into the consumer's PostgreSQL, neither in the alerts
// and cases nor in the merchants' checkpointed state. Decode truncates it before the engine sees the event.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createTopics, freshNames, freshSchema, produce, startRunner, waitCaughtUp } from "./harness.js";
import { SHOWN, cardNumberIndicatorSet, eventsWithCardNumbers, holdsPan } from "../helpers/card-number-events.js";

describe("a card number in an event's free text", () => {
  it("is stored nowhere in PostgreSQL whole: alerts, merchant state, outbox and every other table hold it truncated", async () => {
    const n = freshNames("panstore");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const indicators = join(mkdtempSync(join(tmpdir(), "mt-pan-sets-")), "set.json");
    writeFileSync(indicators, JSON.stringify(cardNumberIndicatorSet()));
    const events = eventsWithCardNumbers("acq-test:M-pan-1");

    const runner = await startRunner(n, url, { indicators });
    try {
      await produce(n.events, events.map((e) => JSON.stringify(e)));
      await waitCaughtUp(n, url, 60_000);
      // the producer is to be told: counted by field
      const counted = (await runner.metrics.cardNumbers.get()).values.filter((v) => v.value > 0).map((v) => v.labels.field);
      expect(counted.length).toBeGreaterThan(0);
      expect(counted).toContain("descriptor");
    } finally {
      // its stop writes the partition's checkpoint: the merchant's state and profile
      await runner.stop();
    }

    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const alerts = (await c.query<{ alert: string }>("SELECT alert::text AS alert FROM mt_alerts")).rows.map((r) => r.alert);
      const states = (await c.query<{ state: string; profile: string | null }>("SELECT state::text AS state, profile::text AS profile FROM mt_merchant_state")).rows;
      // the merchant's text did reach both, so the absence of the number is no accident
      expect(alerts.length).toBeGreaterThan(0);
      expect(alerts.join("\n")).toContain(`TOKALPHA ${SHOWN}`);
      expect(states).toHaveLength(1);
      expect(JSON.stringify(states)).toContain(`TOKALPHA ${SHOWN}`);
      for (const text of [...alerts, ...states.flatMap((s) => [s.state, s.profile ?? ""])]) expect(holdsPan(text)).toBe(false);
      // every row of every table of the schema, bytes (the outbox's messages) read as text
      const tables = (await c.query<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")).rows;
      expect(tables.map((t) => t.t)).toEqual(expect.arrayContaining(["mt_alerts", "mt_merchant_state", "mt_outbox", "mt_cases"]));
      for (const { t } of tables) {
        const columns = (await c.query<{ name: string; type: string }>("SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1", [t])).rows;
        const texts = columns.map((col) => (col.type === "bytea" ? `convert_from(${c.escapeIdentifier(col.name)}, 'UTF8')` : `${c.escapeIdentifier(col.name)}::text`));
        const rows = (await c.query<{ row: string }>(`SELECT concat_ws(' ', ${texts.join(", ")}) AS row FROM ${c.escapeIdentifier(t)}`)).rows;
        for (const r of rows) expect(holdsPan(r.row), `${t}: ${r.row.slice(0, 300)}`).toBe(false);
      }
    } finally {
      await c.end();
    }
  });
});
