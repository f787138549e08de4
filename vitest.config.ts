import { defineConfig } from "vitest/config";

// `npm test` (= vitest run) runs both projects; `vitest run --project unit` needs neither Kafka nor PostgreSQL.
export default defineConfig({
  test: {
    // the integration teardown stops the broker: SIGTERM, up to 30 s, then SIGKILL
    teardownTimeout: 60_000,
    // a cheap password hash (the default costs 0.2 s a hash): a test signs in and adds users many times.
    // test/password-cost.test.ts checks the default cost itself
    env: { MT_PASSWORD_COST: "ln=10,r=8,p=1" },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/integration/**", "**/node_modules/**"],
          // the migrated embedded database that testDb() (test/helpers/db.ts) copies, and the command bundled for
          // the tests that spawn it (test/helpers/cli.ts)
          globalSetup: ["test/infra/embedded-template.ts", "test/infra/cli-bundle.ts"],
          // vitest's default on 2 cores is one file at a time, and many files wait on the processes they spawn;
          // scripts/test.mjs (npm test) gives it one, beside the integration project
          maxWorkers: Number(process.env.MT_TEST_UNIT_WORKERS) || 2,
          // a test is not a timing: vitest's 5 s default failed backtests of the sample on a machine busy with other work
          testTimeout: 60_000,
          // and a hook neither: tunerWeb's embedded database and web server took over vitest's 10 s default at load 25
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          // resolves Kafka and PostgreSQL once (env address, else Testcontainers, else local; see test/infra/resolve.ts)
          // and then Chromium for browser tests (installs Debian's package when missing; test/infra/chromium.ts)
          globalSetup: ["test/infra/global-setup.ts", "test/infra/browser-setup.ts", "test/infra/embedded-template.ts", "test/infra/cli-bundle.ts"],
          // one broker and one database for the run, and each file waits on them most of its time: two files at a
          // time, except those that restart or stop the broker, which run alone (test/infra/run-alone.ts)
          maxWorkers: Number(process.env.MT_TEST_INTEGRATION_WORKERS) || 2,
          setupFiles: ["test/infra/run-alone.ts"],
          testTimeout: 120_000,
          // the first run resolves Kafka with mvn
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
