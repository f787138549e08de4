// vitest globalSetup of the `integration` project: finds Kafka and PostgreSQL once (test/infra/resolve.ts), hands
// their addresses to the tests (inject("kafkaBrokers"), inject("databaseUrl"), and process.env KAFKA_BROKERS /
// DATABASE_URL for the workers and the processes tests spawn), and stops what it started at the end.
//
// The broker lives in this (vitest's main) process, so tests ask for a broker restart over a small HTTP endpoint on
// 127.0.0.1 (inject("infraControl")); test/infra/control.ts wraps it. The same server holds the lock that lets
// integration files run two at a time, or one alone (test/infra/file-lock.ts, run-alone.ts).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { FileLock, serveLock } from "./file-lock.js";
import { resolveKafka, resolvePostgres, type KafkaResource, type PostgresResource } from "./resolve.js";
import "./provided.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [k, p] = await Promise.allSettled([resolveKafka(), resolvePostgres()]);
  if (k.status === "rejected" || p.status === "rejected") {
    if (k.status === "fulfilled") await k.value.stop().catch(() => {});
    if (p.status === "fulfilled") await p.value.stop().catch(() => {});
    throw k.status === "rejected" ? k.reason : (p as PromiseRejectedResult).reason;
  }
  const kafka = k.value;
  const postgres = p.value;
  const control = await controlServer(kafka);

  process.env.KAFKA_BROKERS = kafka.brokers;
  process.env.DATABASE_URL = postgres.url;
  process.env.MT_TEST_INFRA_CONTROL = control.url;
  project.provide("kafkaBrokers", kafka.brokers);
  project.provide("databaseUrl", postgres.url);
  project.provide("kafkaVia", kafka.via);
  project.provide("postgresVia", postgres.via);
  project.provide("kafkaRestartable", Boolean(kafka.restart));
  project.provide("infraControl", control.url);

  return async () => {
    await new Promise<void>((r) => control.server.close(() => r()));
    const results = await Promise.allSettled([kafka.stop(), postgres.stop()]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed.length) throw new Error(`infra teardown: ${failed.map((f) => String(f.reason)).join("; ")}`);
  };
}

async function controlServer(kafka: KafkaResource): Promise<{ server: Server; url: string }> {
  let busy: Promise<unknown> = Promise.resolve();
  const lock = new FileLock();
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "GET" && u.pathname === "/lock") return serveLock(lock, req, res, u.searchParams.get("mode"), () => busy);
    if (req.method !== "POST" || u.pathname !== "/kafka/restart") {
      res.writeHead(404).end("POST /kafka/restart?signal=SIGTERM|SIGKILL&downMs=N, GET /lock?mode=shared|exclusive\n");
      return;
    }
    if (!kafka.restart) {
      res.writeHead(501).end(`the broker cannot be restarted from here: ${kafka.describe}\n`);
      return;
    }
    const signal = u.searchParams.get("signal") === "SIGKILL" ? "SIGKILL" : "SIGTERM";
    const downMs = Number(u.searchParams.get("downMs") ?? 0) || 0;
    const restart = kafka.restart;
    // a failed restart is answered, not thrown: `busy` only orders restarts and holds the lock's grants meanwhile
    busy = busy.then(() =>
      restart({ signal, downMs }).then(
        (r) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(r)),
        (e: Error) => res.writeHead(500).end(`${e.message}\n`),
      ),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  server.unref();
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export type { KafkaResource, PostgresResource };
