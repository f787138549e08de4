// `moneytrail run` refused at start after it has connected (a rule set that does not load, a port another process
// holds): one line that says what to change, exit code 2, and the process ends. It used to print the error and
// then hang on its open PostgreSQL and Kafka connections (ignoring SIGTERM), or print a stack trace for a port in use.
import { describe, it, expect, onTestFinished } from "vitest";
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freshNames, freshSchema, spawnRunner } from "./harness.js";

/** Exit code and stderr of a runner started with `env`; killed (and failed) if it has not ended in `ms`. */
async function refusal(prefix: string, env: Record<string, string>, ms = 60_000): Promise<{ code: number | null; stderr: string }> {
  const n = freshNames(prefix);
  const child = spawnRunner(n, await freshSchema(n), env);
  onTestFinished(() => void child.kill("SIGKILL"));
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const hung = setTimeout(() => child.kill("SIGKILL"), ms);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(hung);
  return { code, stderr };
}

describe("moneytrail run, refused after connecting", () => {
  // refused before it connects since run reads its files first (run-start-files-first.test.ts); still one line, exit 2
  it("ends with exit code 2 on a rule set that does not load", { timeout: 90_000 }, async () => {
    const rules = mkdtempSync(join(tmpdir(), "mt-bad-rules-"));
    writeFileSync(join(rules, "broken.yaml"), "rules: [\n");
    const r = await refusal("start-rules", { MT_RULES: rules });
    expect(r.code).toBe(2);
    // at the bracket left open, not where the parser noticed it (917a61e)
    expect(r.stderr).toMatch(/^refused: .*broken\.yaml:1:8: \(YAML syntax\): this \[ is not closed/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("names the setting when its port is in use, and ends with exit code 2", { timeout: 90_000 }, async () => {
    const taken = createServer().listen(0, "127.0.0.1");
    await once(taken, "listening");
    onTestFinished(() => void taken.close());
    const port = String((taken.address() as { port: number }).port);
    const metrics = await refusal("start-port", { MT_METRICS_PORT: port });
    expect(metrics.code).toBe(2);
    expect(metrics.stderr).toContain(`error: MT_METRICS_PORT: 127.0.0.1:${port} is already in use by another process: stop it, or set MT_METRICS_PORT to a free port (0 turns it off)\n`);
    expect(metrics.stderr).not.toMatch(/^\s+at /m);
    const page = await refusal("start-port", { MT_HTTP_PORT: port });
    expect(page.code).toBe(2);
    expect(page.stderr).toContain(`error: MT_HTTP_PORT (--http-port): 127.0.0.1:${port} is already in use by another process`);
  });
});
