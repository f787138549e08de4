// `moneytrail demo --port`: a value that is not a port is refused before the replay runs; a port that is taken is
// said in one line with what to do, without a stack trace.
import { afterAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createServer, type AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI } from "./helpers/cli.js";

describe("demo --port", () => {
  const out = mkdtempSync(join(tmpdir(), "mt-demo-port-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const demo = [...CLI, "demo", "--out", out, "--port"];

  it("refuses a value that is not a port before doing any work", { timeout: 60_000 }, () => {
    for (const port of ["abc", "65536", "-1", "80.5"]) {
      const r = spawnSync(process.execPath, [...demo, port], { encoding: "utf8", timeout: 60_000 });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`error: option '--port <port>' argument '${port}' is invalid. expected a whole number from 0 to 65535\n`);
      expect(r.stdout).toBe("");
    }
  });

  it("says a taken port in one line, with what to do", { timeout: 90_000 }, async () => {
    const taken = createServer().listen(0, "127.0.0.1");
    await once(taken, "listening");
    try {
      const port = (taken.address() as AddressInfo).port;
      // asynchronous: this process holds the port and must keep answering
      const child = spawn(process.execPath, [...demo, String(port)], { stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
      const [code] = (await once(child, "exit")) as [number];
      expect(code).toBe(2);
      expect(stderr).toMatch(new RegExp(`\\nerror: port ${port} on 127\\.0\\.0\\.1 is taken: run again with --port <another port> \\(or --port 0 for any free one\\)\\n$`));
      expect(stderr).not.toMatch(/^\s+at /m);
    } finally {
      taken.close();
    }
  });
});
