// What the reviewers' page and API let out of the process, on the embedded database (the same SQL as PostgreSQL):
// answers that are never kept in a browser's or a proxy's cache.
import { afterEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { embeddedDb, type Db } from "../src/cases/db.js";
import { recordAlerts } from "../src/cases/record.js";
import { urlHash } from "../src/cases/store.js";
import { Auth, CONSOLE } from "../src/web/auth.js";
import { buildWebServer } from "../src/web/server.js";
import { createLogger } from "../src/lib/log.js";
import type { Alert } from "../src/decode/events.js";

const FLAGGED = "https://gallery.flagged.example/p/1";

const alert: Alert = {
  alertId: "priv-1",
  merchantId: "acq-test:M-1",
  raisedAt: "2026-03-01T00:00:00Z",
  score: 90,
  severity: "high",
  typologies: ["linked-to-flagged"],
  signals: [{ rule: "flagged-site-link", version: "v1", kind: "flagged-site-link", value: 90, threshold: 50, explanation: "links to a flagged site", evidence: { eventIds: ["e-1"] } }],
  ruleSet: { id: "default", version: "sha256:00" },
  context: {
    events: [{ eventId: "e-1", type: "site_observation", occurredAt: "2026-03-01T00:00:00Z", url: "https://shop.example/", linkedUrls: [FLAGGED] }],
    activity: [],
  },
};

let app: FastifyInstance | undefined;
let db: Db | undefined;
afterEach(async () => {
  await app?.close();
  await db?.close();
  app = db = undefined;
});

async function setup(users: [string, "reviewer" | "rule-tuner" | "admin"][] = [["rev", "reviewer"]]) {
  db = await embeddedDb();
  await db.tx((q) => recordAlerts(q, [alert], { acquirerOf: () => "acq-test", webhooks: false }));
  const auth = new Auth(db);
  const tokens: Record<string, string> = {};
  for (const [u, role] of users) {
    await auth.addUser(CONSOLE, { username: u, role, password: `${u}-password-long` });
    tokens[u] = (await auth.createToken(CONSOLE, u, "test")).token;
  }
  app = await buildWebServer({ db, log: createLogger("silent" as "fatal") });
  const caseId = (await db.query<{ id: string }>("SELECT case_id::text AS id FROM mt_cases")).rows[0]!.id;
  return { app, db, tokens, caseId };
}

describe("answers with case data", { timeout: 60_000 }, () => {
  it("are never stored by a browser or a proxy (Cache-Control: no-store)", async () => {
    const { app, tokens, caseId } = await setup();
    const auth = { authorization: `Bearer ${tokens.rev}` };
    const answers = await Promise.all([
      app.inject({ method: "GET", url: `/cases/${caseId}`, headers: auth }),
      app.inject({ method: "GET", url: `/api/cases/${caseId}`, headers: auth }),
      app.inject({ method: "GET", url: `/cases/${caseId}/export.json`, headers: auth }),
      app.inject({ method: "POST", url: `/api/cases/${caseId}/reveal`, headers: auth, payload: { hash: urlHash(FLAGGED) } }),
      app.inject({ method: "GET", url: "/cases", headers: auth }),
    ]);
    for (const r of answers) {
      expect(r.statusCode).toBe(200);
      expect(r.headers["cache-control"]).toBe("no-store");
    }
    expect(answers[3]!.json()).toEqual({ url: FLAGGED });
  });
});
