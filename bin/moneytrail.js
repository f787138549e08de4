#!/usr/bin/env node
// The `moneytrail` command. npm links a package's bin when it installs it, and npx installs a clone so on its first
// call, maybe before dist/ is built: a link to dist/cli.js made then is missing for good (npx keeps its install), so
// the link goes to this file, which is always there.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(`moneytrail is not built: run \`npm run build\` in ${fileURLToPath(new URL("..", import.meta.url))} (after \`npm ci\`), then the command again.\n`);
  process.exit(1);
}
await import(cli.href);
