// setupFiles of the integration project: each file holds the run's lock (test/infra/file-lock.ts) while it runs,
// shared with one other file, or alone when it is listed below.
import { get, type ClientRequest } from "node:http";
import { basename } from "node:path";
import { afterAll, beforeAll, inject } from "vitest";
import "./provided.js";

/** Files that run with no other integration file beside them, and why. */
const ALONE: Record<string, string> = {
  "broker-restart.test.ts": "restarts the broker",
  "health.test.ts": "restarts the broker",
  "infra.test.ts": "restarts the broker",
  "metrics-scrape.test.ts": "restarts the broker",
  "stop-hung-broker.test.ts": "stops the broker (SIGSTOP)",
};

let held: ClientRequest | undefined;

beforeAll(async ({}, suite) => {
  const name = basename(suite.file.filepath);
  const base = inject("infraControl") || process.env.MT_TEST_INFRA_CONTROL;
  if (!base) throw new Error("no infra control endpoint: run under the integration project's global setup");
  const mode = name in ALONE ? "exclusive" : "shared";
  held = await new Promise<ClientRequest>((resolve, reject) => {
    const req = get(`${base}/lock?mode=${mode}`, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`file lock refused (${res.statusCode})`));
      // letting go is destroying the request, which errors the answer: expected
      res.on("error", () => {});
      res.once("data", () => resolve(req));
    });
    req.on("error", reject);
  });
}, 600_000);

afterAll(() => {
  held?.destroy();
  held = undefined;
});
