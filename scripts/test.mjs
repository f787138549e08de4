// `npm test`: the unit and integration projects side by side, as two vitest processes. Run as one, vitest took the
// projects one after the other, and the integration project (one file at a time: one broker, one database) spends
// most of its time waiting on them, which the unit project's CPU work fits into. The unit project's output is held
// and printed when it ends, so the two do not interleave; the exit code fails if either fails.
import { spawn } from "node:child_process";

const args = process.argv.slice(2);
const vitest = (project, env, stdio) =>
  spawn(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--project", project, "--passWithNoTests", ...args], { stdio, env: { ...process.env, ...env } });
const ended = (child) => new Promise((resolve) => child.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0))));

// one worker: the integration project's processes and the broker have the other core
const unit = vitest("unit", { MT_TEST_UNIT_WORKERS: "1" }, ["ignore", "pipe", "pipe"]);
const held = [];
unit.stdout.on("data", (d) => held.push(d));
unit.stderr.on("data", (d) => held.push(d));
const integration = vitest("integration", {}, "inherit");
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => [unit, integration].forEach((c) => c.kill(signal)));

const [u, i] = await Promise.all([ended(unit), ended(integration)]);
process.stdout.write(Buffer.concat(held));
process.exitCode = u || i;
