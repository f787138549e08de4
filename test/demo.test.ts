// `npm start` (moneytrail demo) as a person runs it: the table, then the reviewers' page with its URL and sign-ins,
// and the sample's cases behind the reviewer's sign-in, once the printed one-time password is replaced.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { connect } from "node:net";
import { once } from "node:events";
import { serveDemo } from "../src/app/demo.js";
import { replay } from "../src/app/replay.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { IndicatorIndex } from "../src/indicators/index.js";
import { createLogger } from "../src/lib/log.js";
import { CLI } from "./helpers/cli.js";

describe("npm start", () => {
  let child: ChildProcess | undefined;
  const out = mkdtempSync(join(tmpdir(), "mt-demo-"));
  afterAll(() => {
    child?.kill("SIGTERM");
    rmSync(out, { recursive: true, force: true });
  });

  it("prints the flagged table, then serves the sample's cases and prints where and how to sign in", { timeout: 90_000 }, async () => {
    child = spawn(process.execPath, [...CLI, "demo", "--port", "0", "--out", out], { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout!.on("data", (b: Buffer) => (text += b.toString()));
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => /Press Ctrl-C to stop/.test(text) && (clearInterval(t), resolve()), 100);
      child!.once("exit", (code) => reject(new Error(`demo exited (${code}) before serving: ${text}`)));
    });
    expect(text).toContain("Flagged merchants in the sample");
    const url = /The case queue for compliance reviewers is at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text)![1]!;
    const password = /^ {2}reviewer +(\S+) +\(reviewer\)$/m.exec(text)![1]!;
    expect((await fetch(`${url}cases`, { redirect: "manual" })).status).toBe(302);
    const login = await fetch(`${url}login`, { method: "POST", body: new URLSearchParams({ username: "reviewer", password }), redirect: "manual" });
    expect(login.status).toBe(303);
    // the printed password is an initial one: the first thing its session does is choose its own
    expect(login.headers.get("location")).toBe("/password");
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await fetch(`${url}password`, { headers: { cookie } })).text())![1]!;
    const own = "reviewer-own-password";
    const set = await fetch(`${url}password`, {
      method: "POST",
      headers: { cookie },
      body: new URLSearchParams({ _csrf: csrf, currentPassword: password, newPassword: own, confirmPassword: own }),
      redirect: "manual",
    });
    expect(set.headers.get("location")).toBe("/cases");
    const queue = await (await fetch(`${url}api/cases`, { headers: { cookie } })).json();
    expect(queue.total).toBe(12);
    expect((await fetch(`${url}login`, { method: "POST", body: new URLSearchParams({ username: "reviewer", password }), redirect: "manual" })).status).toBe(401);
  });
});

describe("the demo's server", () => {
  // one replay of the sample for both servers: a server only reads its alerts, engine and hits
  const dir = mkdtempSync(join(tmpdir(), "mt-demo-server-"));
  const out = join(dir, "alerts.ndjson");
  let s: Awaited<ReturnType<typeof replay>>;
  beforeAll(async () => {
    s = await replay({ events: join(SAMPLE_DIR, "events.ndjson"), out, rejects: join(dir, "rejects.ndjson"), ruleSet: loadRuleSet(DEFAULT_RULES), indicators: new IndicatorIndex() });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("edits a copy of the rules, never the given directory, and removes the copy when it closes", { timeout: 90_000 }, async () => {
    const demo = await serveDemo({ alertsFile: out, engine: s.engine, hits: s.hits, rulesDir: DEFAULT_RULES, host: "127.0.0.1", port: 0, log: createLogger("fatal") });
    expect(demo.rulesDir).not.toBe(DEFAULT_RULES);
    expect(existsSync(join(demo.rulesDir, "ruleset.yaml"))).toBe(true);
    await demo.close();
    expect(existsSync(demo.rulesDir)).toBe(false);
  });

  it("closes within seconds while a request is still open (a slow client), not after Node's request timeout", { timeout: 120_000 }, async () => {
    const demo = await serveDemo({ alertsFile: out, engine: s.engine, hits: s.hits, rulesDir: DEFAULT_RULES, host: "127.0.0.1", port: 0, log: createLogger("fatal") });
    const socket = connect(Number(new URL(demo.url).port), "127.0.0.1");
    try {
      await once(socket, "connect");
      // a body announced and never sent: the request stays in progress
      socket.write(`POST /login HTTP/1.1\r\nHost: mt.example\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nusername=`);
      await new Promise((r) => setTimeout(r, 300));
      const began = Date.now();
      await Promise.race([demo.close(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the demo waited for the open request")), 30_000))]);
      expect(Date.now() - began).toBeLessThan(10_000);
    } finally {
      socket.destroy();
    }
  });
});
