// A stop while a reviewer's request is still open (a slow client, here one that sent a request's headers and not yet
// its body): closing the web server waited for it, up to Node's 5-minute request timeout, past any grace period.
// Now the stop cuts such requests off after a few seconds.
import { connect } from "node:net";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { freePort } from "../../src/bench/processes.js";
import { createTopics, freshNames, freshSchema, startRunner } from "./harness.js";

describe("a stop while a web request is open", () => {
  it("cuts the request off within a few seconds instead of waiting for it", { timeout: 120_000 }, async () => {
    const n = freshNames("stopweb");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const port = await freePort();
    const runner = await startRunner(n, url, { httpPort: port, httpHost: "127.0.0.1" });
    const socket = connect(port, "127.0.0.1");
    try {
      await once(socket, "connect");
      // a body announced and never sent: the request stays in progress
      socket.write(`POST /api/cases/1/comments HTTP/1.1\r\nHost: mt.example\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"text":`);
      await new Promise((r) => setTimeout(r, 500));
      const closed = once(socket, "close");
      const began = Date.now();
      await Promise.race([runner.stop(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the stop waited for the open request")), 60_000))]);
      expect(Date.now() - began).toBeLessThan(10_000);
      await closed;
    } finally {
      socket.destroy();
    }
  });
});
