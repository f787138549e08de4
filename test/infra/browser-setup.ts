// vitest globalSetup of the `integration` project: finds (or installs) Chromium once per run for the browser tests,
// as inject("chromiumPath") and process.env.CHROMIUM_PATH (which launchBrowser() in chromium.ts reads by default).
import type { TestProject } from "vitest/node";
import { ensureChromium } from "./chromium.js";
import "./provided.js";

export default async function setup(project: TestProject): Promise<void> {
  const path = await ensureChromium();
  process.env.CHROMIUM_PATH = path;
  project.provide("chromiumPath", path);
}
