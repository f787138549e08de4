// A request that failed inside (500) was logged with its whole address, query string and all: a client that puts a
// token or a password in the query (?access_token=…, as some tools do) had it written to the log, where redaction
// reads field names, not the inside of an address. The log line now names the path only.
import { describe, expect, it } from "vitest";
import { bearer } from "./helpers/web.js";
import { testDb } from "./helpers/db.js";
import { buildWebServer } from "../src/web/server.js";
import { createLogger } from "../src/lib/log.js";
import { Auth } from "../src/web/auth.js";

describe("a request that failed inside", { timeout: 60_000 }, () => {
  it("is logged with its path, not its query", async () => {
    const db = await testDb();
    const lines: string[] = [];
    const app = await buildWebServer({ db, log: createLogger("info", { write: (l: string) => void lines.push(l) }) });
    try {
      const headers = await bearer(new Auth(db), "rev");
      // the database gone: the request fails inside
      await db.close();
      const r = await app.inject({ method: "GET", url: "/api/cases?access_token=tok-secret-1&status=all", headers });
      expect(r.statusCode).toBe(500);
      const logged = lines.map((l) => JSON.parse(l) as { msg: string; url?: string });
      expect(logged.find((l) => l.msg === "web request failed")).toMatchObject({ url: "/api/cases" });
      expect(lines.join("")).not.toContain("tok-secret-1");
    } finally {
      await app.close();
    }
  });
});
