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

/** A part of the Runner (run/*.ts): the shared context as its own fields, so its code reads as it did in the Runner. */
export abstract class RunPart {
  protected readonly cfg: RunConfig;
  protected readonly log: Logger;
  protected readonly kafka: Kafka;
  protected readonly admin: Admin;
  protected readonly pool: pg.Pool;
  protected readonly store: PgStore;
  protected readonly db: Db;
  protected readonly engine: Engine;
  protected readonly metrics: Metrics;

  constructor(ctx: RunContext) {
    this.cfg = ctx.cfg;
    this.log = ctx.log;
    this.kafka = ctx.kafka;
    this.admin = ctx.admin;
    this.pool = ctx.pool;
    this.store = ctx.store;
    this.db = ctx.db;
    this.engine = ctx.engine;
    this.metrics = ctx.metrics;
  }
}
