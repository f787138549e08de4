// --dispositions over the local PostgreSQL's Unix socket, as an operator on the database's host gives it
// (postgres://USER@/DB?host=/run/postgresql): the reviewers' decisions are read as over TCP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { serverDb, type Db } from "../../src/cases/db.js";
import { dispositionsFrom } from "../../src/app/backtest.js";
import { freshNames, freshSchema } from "./harness.js";

const SOCKET_DIR = "/run/postgresql";
let db: Db | undefined;
let tcp: URL;

beforeAll(async () => {
  tcp = new URL(await freshSchema(freshNames("bt-socket")));
  db = await serverDb(tcp.toString());
  await db.query(
    `INSERT INTO mt_cases (merchant_id, status, dismiss_reason, score, severity, typologies, opened_at, updated_at, last_alert_id)
     VALUES ('acq-nl:M-100001', 'reported', NULL, 80, 'high', '{linked-to-flagged}', now(), now(), 'a-test'),
            ('acq-nl:M-100004', 'dismissed', 'false-positive', 70, 'medium', '{excessive-disputes}', now(), now(), 'a-test')`,
  );
});
afterAll(async () => {
  await db?.close();
});

// only where the PostgreSQL the tests use is this host's, which listens on the socket
const local = () => ["127.0.0.1", "localhost"].includes(tcp.hostname) && existsSync(`${SOCKET_DIR}/.s.PGSQL.${tcp.port || 5432}`);

describe("backtest --dispositions over a Unix socket", () => {
  it("reads the decisions through a URL with no host", async (ctx) => {
    if (!local()) ctx.skip();
    const url = `postgres://${tcp.username}@${tcp.pathname}?host=${encodeURIComponent(SOCKET_DIR)}&port=${tcp.port || 5432}&options=${encodeURIComponent(tcp.searchParams.get("options")!)}`;
    const truth = await dispositionsFrom(url);
    expect(truth.merchants).toEqual({
      "acq-nl:M-100001": { label: "positive", typologies: ["linked-to-flagged"], detail: "reported" },
      "acq-nl:M-100004": { label: "negative", typologies: [], detail: "dismissed: false-positive" },
    });
    expect(truth.source).toBe(`dispositions in mt_cases at ${SOCKET_DIR}`);
  });
});
