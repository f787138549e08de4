// bench:kafka's and the soak test's child processes are given a metrics port found free beforehand, which they bind
// seconds later (after their warm-up). A port from listen(0) is in the kernel's ephemeral range, which it also hands to
// every outgoing connection and other processes' listen(0): on a busy machine one took it in between, and the child
// exited with 'MT_METRICS_PORT: 127.0.0.1:37811 is already in use' (bench:kafka, 2026-12-07 18:51Z).
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort } from "../src/bench/processes.js";

const ephemeralLow = (): number => {
  try {
    return Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
  } catch {
    return 32768;
  }
};

const listens = (port: number) =>
  new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });

describe("freePort", () => {
  it("gives a free port below the ephemeral range, where no outgoing connection or listen(0) takes it meanwhile", async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const p of ports) expect(p).toBeLessThan(ephemeralLow());
    expect(await listens(ports[0]!)).toBe(true);
  });
});
