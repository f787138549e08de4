// /healthz and /readyz tell the truth: ready with broker, database, group and rules; not ready, saying why, while the
// broker is down or the database is gone. /metrics carries the operator's series.
import { describe, expect, inject, it } from "vitest";
import pg from "pg";
import { createLogger } from "../../src/lib/log.js";
import { restartBroker } from "../infra/control.js";
import { createTopics, databaseUrl, freshNames, produce, sampleLines, startRunner, waitCaughtUp, until } from "./harness.js";

describe("health, readiness and metrics", () => {
  it("answers the truth when the broker restarts and when the database goes away", { timeout: 240_000 }, async () => {
    const n = freshNames("health");
    await createTopics(n, 2);
    // a database of its own, so the test can take it away
    const name = n.id.replace(/[^a-z0-9]/g, "_");
    const admin = new pg.Client({ connectionString: databaseUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(databaseUrl());
    url.pathname = `/${name}`;
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const logLines: string[] = [];
    const runner = await startRunner(n, url.toString(), { metricsPort: port, logLevel: "fatal" }, createLogger("debug", { write: (line: string) => void logLines.push(line) }));
    const get = async (path: string) => {
      const r = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: r.status, body: await r.text() };
    };
    try {
      expect(await get("/healthz")).toMatchObject({ status: 200 });
      await until("ready", async () => (await get("/readyz")).status === 200);
      const ready = JSON.parse((await get("/readyz")).body);
      expect(ready.checks).toMatchObject({ broker: { ok: true }, database: { ok: true }, group: { ok: true }, rules: { ok: true } });

      await produce(n.events, sampleLines());
      await waitCaughtUp(n, url.toString());
      const metrics = (await get("/metrics")).body;
      for (const series of [
        'moneytrail_consumer_lag{partition="0"} 0',
        "moneytrail_events_processed_total{type=\"transaction\"}",
        "moneytrail_alert_typologies_total{typology=",
        "moneytrail_event_evaluation_seconds_bucket",
        "moneytrail_event_to_alert_seconds_count",
        "moneytrail_merchants_in_memory",
        "moneytrail_rule_slots_reset_total 0",
        "moneytrail_rule_set_info{id=\"efc-default\"",
        "moneytrail_indicator_set_entries{set=",
      ])
        expect(metrics, series).toContain(series);
      // JSON lines; each chunk's line names its batch
      const chunk = logLines.map((l) => JSON.parse(l) as { msg: string; batch?: string }).find((l) => l.msg === "chunk committed");
      expect(chunk?.batch).toMatch(new RegExp(`^${n.events}\\[\\d\\]@\\d+$`));
      const alertsCount = Number(/moneytrail_event_to_alert_seconds_count (\d+)/.exec(metrics)![1]);
      expect(alertsCount).toBeGreaterThan(0);
      // the alerts' publishes (in the background, after their commit) are timed
      const publishes = async () => Number(/moneytrail_outbox_publish_seconds_count (\d+)/.exec((await get("/metrics")).body)?.[1] ?? 0);
      await until("the alerts' publishes timed", async () => (await publishes()) > 0);

      if (inject("kafkaRestartable")) {
        const restart = restartBroker({ signal: "SIGKILL", downMs: 6000 });
        await until("the broker reported down", async () => {
          const r = await get("/readyz");
          return r.status === 503 && JSON.parse(r.body).checks.broker.ok === false;
        }, 30_000);
        await restart;
        await until("ready again after the broker came back", async () => (await get("/readyz")).status === 200, 120_000);
      }

      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await until("the database reported gone", async () => {
        const r = await get("/readyz");
        return r.status === 503 && JSON.parse(r.body).checks.database.ok === false;
      });
      expect((await get("/healthz")).status).toBe(200);
    } finally {
      await runner.stop().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
