// A case's trail (CSV, JSON) and its JSON case file are written as their rows are read from PostgreSQL, a page at a
// time, after the answer's first bytes went out. When PostgreSQL fails between two pages (its backend terminated, a
// statement timed out), the reviewer must not get a file that merely ends early (a CSV that looks whole, a JSON cut
// off): the transfer is aborted (the chunked answer lacks its last chunk, as curl's exit 18 says), and the failure is
// logged with the case's id and counted. Here, on the real PostgreSQL, the second page's read waits on a lock held
// from another connection, and is terminated there or runs into its statement_timeout.
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import pg from "pg";
import { serverDb, type Db } from "../../src/cases/db.js";
import { Auth } from "../../src/web/auth.js";
import { buildWebServer } from "../../src/web/server.js";
import { createMetrics } from "../../src/app/metrics.js";
import { createLogger } from "../../src/lib/log.js";
import { caseAlert, recordCase } from "../helpers/cases.js";
import { bearer } from "../helpers/web.js";
import { freshNames, freshSchema, until } from "./harness.js";

/** What a client got: the status, the bytes, and whether the answer ended as HTTP says (its last chunk came). */
function download(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string; complete: boolean }> {
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      const done = () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString(), complete: res.complete });
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", done);
      res.on("error", done);
    })
      .on("error", reject)
      .end();
  });
}

/**
 * `db`, but its first read of a trail's second page waits on a lock on mt_audit that another connection holds; that
 * read is then failed by `fail` (given the other connection and the waiting backend's pid), and the lock let go.
 */
function cutAtSecondPage(db: Db, url: string, fail: (c: pg.Client, pid: number) => Promise<void>): Db {
  let cut = false;
  return {
    ...db,
    async query<R>(text: string, params?: unknown[]) {
      const secondPage = /^SELECT \* FROM mt_audit WHERE .* ORDER BY audit_id ASC/s.test(text) && params?.[0] !== "0";
      if (!secondPage || cut) return db.query<R>(text, params);
      cut = true;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query("BEGIN");
      await c.query("LOCK TABLE mt_audit IN ACCESS EXCLUSIVE MODE");
      const read = db.query<R>(text, params);
      read.catch(() => undefined);
      try {
        let pid: number | undefined;
        await until("the page's read waits on the lock", async () => {
          const w = await c.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'SELECT * FROM mt_audit WHERE%'");
          pid = w.rows[0]?.pid;
          return pid !== undefined;
        });
        await fail(c, pid!);
      } finally {
        await c.query("ROLLBACK");
        await c.end();
      }
      return read;
    },
  };
}

const terminated = async (c: pg.Client, pid: number) => {
  await c.query("SELECT pg_terminate_backend($1)", [pid]);
};
// the statement_timeout of the server's connections (set on its URL) ends the read that waits
const timedOut = async () => new Promise<void>((r) => setTimeout(r, 2_500));

describe("a case's download cut short by PostgreSQL", { timeout: 120_000 }, () => {
  const open: { close(): Promise<unknown> }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  /** A server on a trail of 2,500 rows (three pages) whose second page's read fails as `fail` fails it. */
  async function server(name: string, fail: typeof terminated, timeoutMs?: number) {
    const url = new URL(await freshSchema(freshNames(name)));
    if (timeoutMs) url.searchParams.set("options", `${url.searchParams.get("options")} -c statement_timeout=${timeoutMs}`);
    const db = await serverDb(url.toString(), 2);
    open.push(db);
    const id = await recordCase(db, caseAlert({ alertId: `${name}-1`, merchantId: "M-CUT" }));
    await db.query(
      `INSERT INTO mt_audit (actor, role, action, case_id, target, detail)
       SELECT 'rev', 'reviewer', 'case-view', $1::bigint, 'M-CUT', jsonb_build_object('via', 'api', 'n', g) FROM generate_series(1, 2500) g`,
      [id],
    );
    const lines: Record<string, unknown>[] = [];
    const log = createLogger(
      "info",
      new Writable({
        write(chunk: Buffer, _enc, next) {
          lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
          next();
        },
      }),
    );
    const metrics = createMetrics();
    const app = await buildWebServer({ db: cutAtSecondPage(db, url.toString(), fail), log, metrics });
    open.push(app);
    await app.listen({ port: 0, host: "127.0.0.1" });
    const rev = await bearer(new Auth(db), "rev");
    return { id, lines, metrics, rev, port: (app.server.address() as AddressInfo).port };
  }
  const failedCount = async (metrics: ReturnType<typeof createMetrics>, download: string) =>
    (await metrics.registry.getSingleMetric("moneytrail_web_downloads_failed_total")?.get())?.values.find((v) => v.labels.download === download)?.value;

  const cases = [
    { route: (id: string) => `/cases/${id}/audit.csv`, download: "case-trail" },
    { route: (id: string) => `/api/cases/${id}/audit`, download: "case-trail" },
    { route: (id: string) => `/cases/${id}/export.json`, download: "case-file" },
    { route: (id: string) => `/api/cases/${id}/export`, download: "case-file" },
  ];
  for (const { route, download: kind } of cases)
    it(`${route(":id")}: a backend terminated mid-stream aborts the transfer, logged with the case and counted`, async () => {
      const s = await server("download-cut", terminated);
      const r = await download(s.port, route(s.id), s.rev);
      // the head went out before the failure: the status cannot say it, the transfer's end does
      expect(r.status).toBe(200);
      expect(r.body.length).toBeGreaterThan(0);
      expect(r.complete).toBe(false);
      await until("the failure logged", () => s.lines.some((l) => l.msg === "download cut short: PostgreSQL failed while its rows were read; the client's transfer was aborted"));
      const line = s.lines.find((l) => String(l.msg).startsWith("download cut short"))!;
      expect(line).toMatchObject({ level: 50, caseId: s.id, download: kind, route: route(":id") });
      expect(String(line.err)).toMatch(/terminat/);
      // the failure, not what was being sent
      expect(JSON.stringify(line)).not.toContain("M-CUT");
      expect(await failedCount(s.metrics, kind)).toBe(1);
    });

  it("a statement timeout mid-stream aborts the CSV trail's transfer too", async () => {
    const s = await server("download-timeout", timedOut, 1_000);
    const r = await download(s.port, `/cases/${s.id}/audit.csv`, s.rev);
    expect(r.status).toBe(200);
    expect(r.complete).toBe(false);
    // the rows written before the failure are there, and not the whole trail
    expect(r.body.split("\n").length).toBeLessThan(2_500);
    await until("the failure counted", async () => (await failedCount(s.metrics, "case-trail")) === 1);
    expect(String(s.lines.find((l) => String(l.msg).startsWith("download cut short"))!.err)).toMatch(/statement timeout/);
  });

  it("a download after a cut one is whole, ends as HTTP says, and counts no failure of its own", async () => {
    const s = await server("download-whole", terminated);
    // the gate fires on the first second page only: the first download is cut, the next is whole
    await download(s.port, `/cases/${s.id}/audit.csv`, s.rev);
    const r = await download(s.port, `/cases/${s.id}/audit.csv`, s.rev);
    expect(r.complete).toBe(true);
    expect(r.body.trimEnd().split("\n").length).toBe(2_501);
    expect(await failedCount(s.metrics, "case-trail")).toBe(1);
  });
});
