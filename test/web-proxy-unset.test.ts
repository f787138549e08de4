// Behind a reverse proxy without MT_TRUST_PROXY every client has the proxy's address: twenty wrong passwords from
// anywhere hold every sign-in for 15 minutes, and the session cookie is not HTTPS-only. Nothing said so; the first
// request that came through a proxy (X-Forwarded-For or Forwarded) now logs a warning saying what to set.
import { afterEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import type { Db } from "../src/cases/db.js";
import { testDb } from "./helpers/db.js";
import { buildWebServer } from "../src/web/server.js";
import { createLogger } from "../src/lib/log.js";

let open: { app: FastifyInstance; db: Db }[] = [];
afterEach(async () => {
  for (const { app, db } of open) {
    await app.close();
    await db.close();
  }
  open = [];
});

async function serve(trustProxy?: string[]) {
  const db = await testDb();
  const lines: { level: number; msg: string }[] = [];
  const app = await buildWebServer({ db, log: createLogger("warn", { write: (l: string) => void lines.push(JSON.parse(l)) }), trustProxy });
  open.push({ app, db });
  return { app, lines };
}

describe("requests through a proxy that is not trusted", { timeout: 60_000 }, () => {
  it("are warned of once, saying what to set", async () => {
    const { app, lines } = await serve();
    await app.inject({ method: "GET", url: "/login" });
    expect(lines).toEqual([]);
    await app.inject({ method: "GET", url: "/login", headers: { "x-forwarded-for": "198.51.100.7" } });
    await app.inject({ method: "POST", url: "/login", headers: { forwarded: "for=198.51.100.8" }, payload: { username: "x", password: "y" } });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe(40);
    expect(lines[0]!.msg).toMatch(/MT_TRUST_PROXY is not set.*proxy's address.*not HTTPS-only.*set MT_TRUST_PROXY/);
  });

  it("are not warned of when the proxy is trusted", async () => {
    const { app, lines } = await serve(["127.0.0.1"]);
    await app.inject({ method: "GET", url: "/login", remoteAddress: "127.0.0.1", headers: { "x-forwarded-for": "198.51.100.7" } });
    expect(lines).toEqual([]);
  });
});
