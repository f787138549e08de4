// What test/infra/global-setup.ts and browser-setup.ts provide to the integration tests: `inject("kafkaBrokers")`
// etc. are typed here.
import type { Via } from "./resolve.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Comma-separated host:port list (also process.env.KAFKA_BROKERS). */
    kafkaBrokers: string;
    /** This run's PostgreSQL database (also process.env.DATABASE_URL). */
    databaseUrl: string;
    kafkaVia: Via;
    postgresVia: Via;
    /** Whether restartBroker() (test/infra/control.ts) can restart the broker: only one started on this machine. */
    kafkaRestartable: boolean;
    /** Base URL of the global setup's control endpoint (also process.env.MT_TEST_INFRA_CONTROL). */
    infraControl: string;
    /** Chromium for browser tests, from test/infra/browser-setup.ts (also process.env.CHROMIUM_PATH). */
    chromiumPath: string;
  }
}

export {};
