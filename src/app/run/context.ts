import type pg from "pg";
import type { Kafka, Admin } from "kafkajs";
import type { RunConfig } from "../../config/run.js";
import type { Engine } from "../../engine.js";
import type { Logger } from "../../lib/log.js";
import type { PgStore } from "../../sinks/postgres/store.js";
import type { Db } from "../../cases/db.js";
import type { Metrics } from "../metrics.js";

/** What the Runner's parts share: its configuration, log, clients, engine and metrics, made once by the Runner. */
export interface RunContext {
  cfg: RunConfig;
  log: Logger;
  kafka: Kafka;
  admin: Admin;
  pool: pg.Pool;
  store: PgStore;
  /** the case store, rule history and webhook queue, on the consumer's pool */
  db: Db;
  engine: Engine;
  metrics: Metrics;
}
