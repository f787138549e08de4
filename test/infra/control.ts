// For tests: restart the broker the integration run uses (the one test/infra/global-setup.ts started on this
// machine) keeping its data, cluster id and port. Not possible for KAFKA_BROKERS from the environment or a
// Testcontainers broker: check inject("kafkaRestartable") first.
import { inject } from "vitest";
import "./provided.js";

export interface BrokerRestart {
  /** "SIGTERM" (default): clean shutdown; "SIGKILL": a crash. */
  signal?: "SIGTERM" | "SIGKILL";
  /** Stay down this long before starting again. */
  downMs?: number;
}

/** Restarts the broker; resolves once it answers again, with how long it took. */
export async function restartBroker(opts: BrokerRestart = {}): Promise<{ ms: number }> {
  const base = inject("infraControl") || process.env.MT_TEST_INFRA_CONTROL;
  if (!base) throw new Error("no infra control endpoint: run under the integration project's global setup");
  const q = new URLSearchParams({ signal: opts.signal ?? "SIGTERM", downMs: String(opts.downMs ?? 0) });
  const res = await fetch(`${base}/kafka/restart?${q}`, { method: "POST", signal: AbortSignal.timeout(300_000) });
  const body = await res.text();
  if (!res.ok) throw new Error(`broker restart failed (${res.status}): ${body.trim()}`);
  return JSON.parse(body) as { ms: number };
}
