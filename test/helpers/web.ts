// The reviewers' web server on an embedded database (the same SQL as PostgreSQL), closed after each test.
import { afterEach } from "vitest";
import type { FastifyInstance } from "fastify";
import { embeddedDb, type Db } from "../../src/cases/db.js";
import { Auth } from "../../src/web/auth.js";
import { buildWebServer, type WebOptions } from "../../src/web/server.js";
import { createLogger } from "../../src/lib/log.js";

export interface EmbeddedWeb {
  db: Db;
  auth: Auth;
  app: FastifyInstance;
}

/** Call once at a test file's top level; each call of what it returns opens a database and a server on it. */
export function embeddedWeb(): (options?: Omit<WebOptions, "db" | "log">) => Promise<EmbeddedWeb> {
  const open: EmbeddedWeb[] = [];
  afterEach(async () => {
    for (const { app, db } of open.splice(0)) {
      await app.close();
      await db.close();
    }
  });
  return async (options = {}) => {
    const db = await embeddedDb();
    const app = await buildWebServer({ ...options, db, log: createLogger("silent" as "fatal") });
    const web = { db, auth: new Auth(db), app };
    open.push(web);
    return web;
  };
}
