// The lock integration files hold (test/infra/file-lock.ts): two shared holders at once, an exclusive one alone, and a
// waiting exclusive holder let in before shared ones that come after it.
import { createServer, get } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { FileLock, serveLock } from "./infra/file-lock.js";

const settled = async (p: Promise<void>): Promise<boolean> => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10))]);

describe("FileLock", () => {
  it("holds shared with shared, exclusive alone, and lets a waiting exclusive in before later shared ones", async () => {
    const lock = new FileLock();
    const a = lock.acquire("shared");
    const b = lock.acquire("shared");
    expect([await settled(a.granted), await settled(b.granted)]).toEqual([true, true]);
    const x = lock.acquire("exclusive");
    const c = lock.acquire("shared");
    expect([await settled(x.granted), await settled(c.granted)]).toEqual([false, false]);
    a.release();
    expect(await settled(x.granted)).toBe(false);
    b.release();
    expect([await settled(x.granted), await settled(c.granted)]).toEqual([true, false]);
    x.release();
    expect(await settled(c.granted)).toBe(true);
  });

  it("forgets a holder that gives up waiting, and a second release changes nothing", async () => {
    const lock = new FileLock();
    const x = lock.acquire("exclusive");
    const y = lock.acquire("exclusive");
    const s = lock.acquire("shared");
    y.release();
    x.release();
    x.release();
    expect(await settled(s.granted)).toBe(true);
    const t = lock.acquire("shared");
    expect(await settled(t.granted)).toBe(true);
    const z = lock.acquire("exclusive");
    s.release();
    expect(await settled(z.granted)).toBe(false);
    t.release();
    expect(await settled(z.granted)).toBe(true);
  });

  it("answers held only once a broker restart under way has ended, though the lock is free", async () => {
    let restarted!: () => void;
    const restart = new Promise<void>((r) => (restarted = r));
    const server = createServer((req, res) => serveLock(new FileLock(), req, res, "shared", () => restart));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const req = get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/lock`);
      const held = new Promise<void>((r) => req.on("response", (res) => res.once("data", () => r())));
      // a request answered at all is answered within this on any machine; the answer that must come is awaited
      const answered = await Promise.race([held.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 500))]);
      expect(answered).toBe(false);
      restarted();
      await held;
      req.destroy();
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
