// A fault of moneytrail's (an error no check foresaw) is printed with its stack for the maintainers: it went to
// stderr as it was, so an e-mail address or a card number in its message (a driver's error quoting a value) reached
// the terminal and any log collecting it, where the logger would have masked them.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CLI } from "./helpers/cli.js";
import { syntheticPan } from "./helpers/card-numbers.js";

describe("an internal error on the command line", () => {
  it("is printed with its stack, its e-mail addresses and card numbers masked as the logs mask them", () => {
    const preload = join(mkdtempSync(join(tmpdir(), "mt-internal-")), "fault.mjs");
    const pan = syntheticPan("400012345678901").replace(/(\d{4})(?=\d)/g, "$1 ");
    // synthetic: a reserved domain and a card number made here (none is written in a file)
    writeFileSync(
      preload,
      `import crypto from "node:crypto";
import { syncBuiltinESMExports } from "node:module";
const hash = crypto.hash;
// only for the command's input: the bundle hashes at start-up too
crypto.hash = (algorithm, data, ...rest) => {
  if (String(data).includes("someone@mail.example")) throw new Error("injected fault for buyer@mail.example paying with ${pan}");
  return hash(algorithm, data, ...rest);
};
syncBuiltinESMExports();
`,
    );
    const r = spawnSync(process.execPath, ["--import", pathToFileURL(preload).href, ...CLI, "indicators", "hash", "--kind", "email"], { input: "someone@mail.example\n", encoding: "utf8", timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: Error: injected fault for /);
    expect(r.stderr).toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain("buyer@mail.example");
    expect(r.stderr).not.toContain(pan);
    expect(r.stderr).toContain("400012******9017");
  });
});
