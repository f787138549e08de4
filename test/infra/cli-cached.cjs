// The `moneytrail` command for tests (test/infra/cli-bundle.ts copies this file beside the bundle cli.cjs): the
// bundle run through V8's code cache of it (cli.cjs.cache), so a spawn compiles little of its 5 MB again. Node 20
// keeps no such cache itself. MT_TEST_CLI_WRITE_CACHE=1 writes the cache at exit (once, by the globalSetup); a cache
// V8 rejects (another node) only costs the compile.
"use strict";
const { readFileSync, writeFileSync } = require("node:fs");
const { createRequire, wrap } = require("node:module");
const { join } = require("node:path");
const { Script } = require("node:vm");

const file = join(__dirname, "cli.cjs");
const cache = `${file}.cache`;
let cachedData;
try {
  cachedData = readFileSync(cache);
} catch {
  // not written yet: the globalSetup's own run
}
const script = new Script(wrap(readFileSync(file, "utf8").replace(/^#!.*/, "")), {
  filename: file,
  cachedData,
});
if (process.env.MT_TEST_CLI_WRITE_CACHE) process.once("exit", () => writeFileSync(cache, script.createCachedData()));
const mod = { exports: {}, filename: file, id: file };
script.runInThisContext()(mod.exports, createRequire(file), mod, file, __dirname);
