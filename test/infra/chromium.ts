// Chromium for browser tests: Debian's package driven by playwright-core. Playwright's own browser downloads are not
// reachable from this network (never `npx playwright install`), so the test setup installs Debian's chromium instead.
import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdir } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

export const DEBIAN_CHROMIUM = "/usr/bin/chromium";

const SCREENSHOTS = fileURLToPath(new URL("../../test-artifacts/screenshots/", import.meta.url));

const log = (msg: string): void => console.log(`[infra] ${msg}`);

const executable = (path: string): Promise<boolean> =>
  access(path, constants.X_OK).then(
    () => true,
    () => false,
  );

/** The Chromium to use: $CHROMIUM_PATH, else /usr/bin/chromium, else Debian's package installed now (root only). */
export async function ensureChromium(): Promise<string> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (await executable(fromEnv)) return fromEnv;
    log(`CHROMIUM_PATH=${fromEnv} is not an executable file; ignoring it`);
  }
  if (await executable(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;

  const howTo =
    `browser tests need Chromium and ${DEBIAN_CHROMIUM} is missing: install Debian's package ` +
    `(sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium executable`;
  if (process.getuid?.() !== 0) throw new Error(`${howTo} (not root, so the test setup cannot install it)`);
  const aptGet = await onPath("apt-get");
  if (!aptGet) throw new Error(`${howTo} (no apt-get on this machine)`);

  log("chromium not found: installing Debian's chromium package with apt-get (takes a minute or so)");
  const started = Date.now();
  // the lock timeout lets two test runs that both find Chromium missing install it one after the other
  const lock = ["-o", "DPkg::Lock::Timeout=300"];
  await run(aptGet, [...lock, "update"]);
  await run(aptGet, [...lock, "install", "-y", "--no-install-recommends", "chromium"]);
  if (!(await executable(DEBIAN_CHROMIUM))) {
    throw new Error(`apt-get installed chromium but ${DEBIAN_CHROMIUM} is still missing; ${howTo}`);
  }
  log(`chromium installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return DEBIAN_CHROMIUM;
}

// Without the background-networking flags Chromium's own connections are refused on this closed network.
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A headless Chromium; the integration setup puts the path from ensureChromium() in CHROMIUM_PATH. */
export function launchBrowser(executablePath = process.env.CHROMIUM_PATH || DEBIAN_CHROMIUM): Promise<Browser> {
  // launch() gives Chromium a fresh temporary --user-data-dir of its own and deletes it on close (it rejects one in
  // args), so launchPersistentContext() is not needed.
  return chromium.launch({ executablePath, headless: true, args: ARGS });
}

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

async function onPath(cmd: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(delimiter)) {
    if (dir && (await executable(join(dir, cmd)))) return join(dir, cmd);
  }
  return undefined;
}

/** Runs a command quietly; on failure the error carries the tail of its output. */
function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const keep = (b: Buffer): void => {
      out = (out + b.toString()).slice(-4000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(" ")} failed (${signal ?? `exit ${code}`}):\n${out.trim()}`));
    });
  });
}
