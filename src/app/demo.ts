// The embedded default behind `npm start`: the sample's alerts in an in-process PostgreSQL (PGlite, the same SQL
// as the service), three sign-ins, and the reviewers' page on 127.0.0.1. Nothing to install, nothing kept.
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { Alert } from "../decode/events.js";
import { embeddedDb, type Db } from "../cases/db.js";
import { recordAlerts } from "../cases/record.js";
import type { Engine, RuleHit } from "../engine.js";
import { Auth } from "../web/auth.js";
import { urlOf } from "../lib/url.js";
import { CONSOLE } from "../cases/store.js";
import { buildWebServer, closeWeb } from "../web/server.js";
import { loadRuleSet } from "../rules/ruleset.js";
import { filesOf, recordVersion } from "../rules/history.js";
import type { Logger } from "../lib/log.js";
import { UsageError } from "../lib/errors.js";

export interface DemoServer {
  url: string;
  logins: { username: string; role: string; password: string }[];
  app: FastifyInstance;
  db: Db;
  /** the copy of the rules that rule tuners edit on the page; removed on close */
  rulesDir: string;
  close(): Promise<void>;
}

/** Serves the alerts of a replay (its NDJSON output) as cases. */
export async function serveDemo(o: { alertsFile: string; engine: Engine; hits: RuleHit[]; rulesDir: string; host: string; port: number; log: Logger }): Promise<DemoServer> {
  const db = await embeddedDb();
  const alerts = readFileSync(o.alertsFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => Alert.parse(JSON.parse(l)));
  await db.tx((q) => recordAlerts(q, alerts, { acquirerOf: (m) => o.engine.merchants.get(m)?.profile?.acquirerId, webhooks: false }, o.hits));
  const auth = new Auth(db);
  const logins = [];
  for (const [username, role] of [["reviewer", "reviewer"], ["tuner", "rule-tuner"], ["admin", "admin"]] as const)
    logins.push(await auth.addUser(CONSOLE, { username, role }));
  // rule tuners edit a copy: the demo never changes the repository's rules
  const rulesDir = mkdtempSync(join(tmpdir(), "moneytrail-demo-rules-"));
  cpSync(o.rulesDir, rulesDir, { recursive: true });
  // the set in force starts the history, as `run` does, so the first change can be compared and rolled back
  const rs = loadRuleSet(rulesDir);
  await recordVersion(db, rs, filesOf(rs), "directory", "directory");
  // its users live in its in-memory database, which `users add` never reaches
  const app = await buildWebServer({ db, log: o.log, rulesDir, noAccount: "The demo printed its one-time sign-ins where it was started (npm start or moneytrail demo)." });
  // the copy goes with the demo, like its in-memory database
  const closeAll = async () => {
    await closeWeb(app);
    await db.close();
    rmSync(rulesDir, { recursive: true, force: true });
  };
  await app.listen({ host: o.host, port: o.port }).catch(async (err: NodeJS.ErrnoException) => {
    // what is open would keep the process alive for seconds after the message
    await closeAll();
    throw err.code === "EADDRINUSE" ? new UsageError(`port ${o.port} on ${o.host} is taken: run again with --port <another port> (or --port 0 for any free one)`) : err;
  });
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : o.port;
  return {
    url: urlOf(o.host, port),
    logins,
    app,
    db,
    rulesDir,
    close: closeAll,
  };
}
