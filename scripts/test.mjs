// `npm test`: the unit and integration projects side by side. The integration project (two files at a time: one
// broker, one database) spends most of its time waiting on them, so one core runs unit tests beside it; once it
// ends, that core takes unit tests too. vitest cannot add a worker to a running process, so the unit project is cut
// into shards (vitest --shard) that two lanes take in turn: one from the start, the other after the integration
// project. Each shard's output is held and printed when all have ended, so outputs do not interleave; the exit code
// fails if any fails.
import { spawn } from "node:child_process";

const args = process.argv.slice(2);
// enough that the lane freed by the integration project finds most of the unit work still queued, few enough that
// each shard's start (vitest, the embedded database template, the CLI bundle: a few seconds) stays small
const SHARDS = 8;
const running = new Set();
// the exit code of one vitest process; its output goes to `out` when given, else to this process's
function vitest(project, extra, out) {
  const child = spawn(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--project", project, "--passWithNoTests", ...extra, ...args], {
    stdio: out ? ["ignore", "pipe", "pipe"] : "inherit",
    // one worker a process: the other core is the other lane's
    env: { ...process.env, MT_TEST_UNIT_WORKERS: "1" },
  });
  running.add(child);
  if (out) for (const stream of [child.stdout, child.stderr]) stream.on("data", (d) => out.push(d));
  return new Promise((resolve) =>
    child.on("close", (code, signal) => {
      running.delete(child);
      resolve(code ?? (signal ? 1 : 0));
    }),
  );
}
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => running.forEach((c) => c.kill(signal)));

const queued = Array.from({ length: SHARDS }, (_, i) => i + 1);
const held = new Map();
async function unitLane() {
  let failed = 0;
  for (let shard = queued.shift(); shard !== undefined; shard = queued.shift()) {
    held.set(shard, []);
    const code = await vitest("unit", [`--shard=${shard}/${SHARDS}`], held.get(shard));
    failed ||= code;
  }
  return failed;
}

const codes = await Promise.all([unitLane(), vitest("integration", []).then(async (code) => (await unitLane()) || code)]);
for (const shard of [...held.keys()].sort((a, b) => a - b)) {
  process.stdout.write(`\n--- unit shard ${shard}/${SHARDS}\n`);
  process.stdout.write(Buffer.concat(held.get(shard)));
}
process.exitCode = codes.find((c) => c !== 0) ?? 0;
