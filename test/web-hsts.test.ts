// Behind the TLS proxies (MT_TRUST_PROXY) the session cookie is HTTPS-only, but nothing told the browser to use HTTPS
// only: a reviewer typing the host's name went first over plain HTTP, where someone on the network could answer with
// a sign-in page of their own and take the password. Behind trusted proxies every answer now carries
// Strict-Transport-Security (a year); on plain HTTP without a proxy (the demo, a laptop) none, as a browser ignores it
// there and it would pin a local port to HTTPS.
import { describe, expect, it } from "vitest";
import { embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();
const HSTS = "max-age=31536000";

describe("Strict-Transport-Security", { timeout: 60_000 }, () => {
  it("is on every answer behind the TLS proxies", async () => {
    const { app } = await openWeb({ trustProxy: ["127.0.0.1"] });
    for (const url of ["/login", "/cases", "/api/cases", "/nowhere", "/api/cases/1%ZZ"]) {
      const r = await app.inject({ method: "GET", url, remoteAddress: "127.0.0.1" });
      expect(r.headers["strict-transport-security"], url).toBe(HSTS);
    }
    const signIn = await app.inject({ method: "POST", url: "/login", payload: { username: "nobody", password: "not-a-password" }, remoteAddress: "127.0.0.1" });
    expect(signIn.headers["strict-transport-security"]).toBe(HSTS);
  });

  it("is not sent on plain HTTP without a proxy", async () => {
    const { app } = await openWeb();
    expect((await app.inject({ method: "GET", url: "/login" })).headers["strict-transport-security"]).toBeUndefined();
  });
});
