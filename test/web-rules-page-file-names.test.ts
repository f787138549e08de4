// The Rules page's form for a file posted to /rules/<name> with the name as it is, not as a URL's part, so a file in
// the rules directory whose name holds a #, a ? or a space (put there by hand, read by the loader like any .yaml) could
// not be saved from the page: the browser cut the address at the # ("sales #2.yaml" posted to /rules/sales%20, a
// new file "sales " refused), and a % made the address unreadable. The form's address now encodes the name.
import { describe, expect, it } from "vitest";
import { renameSync } from "node:fs";
import { join } from "node:path";
import { fileVersion } from "../src/rules/history.js";
import { tunerWeb } from "./helpers/web.js";

const NAME = "sales #2.yaml";
const web = tunerWeb("rules-page-file-names");
renameSync(join(web.dir, "sales.yaml"), join(web.dir, NAME));

describe("a rules file whose name holds a # or a space", () => {
  it("is saved from the page's form, as a browser sends it", async () => {
    const page = await web.app().inject({ method: "GET", url: "/rules", headers: web.headers() });
    const action = [...page.body.matchAll(/<form method="post" action="([^"]+)"><h3>([^<]+)<\/h3>/g)].find((m) => m[2] === "sales #2.yaml")?.[1];
    expect(action).toBeDefined();
    // where a browser sends the form: the action resolved as a URL, its fragment dropped
    const target = new URL(action!.replace(/&amp;/g, "&"), "http://moneytrail.test/");
    const original = web.text(NAME);
    const form = new URLSearchParams({ base: fileVersion(original), content: `# tuned\n${original}`, note: "EX-3: a comment" });
    const res = await web.app().inject({
      method: "POST",
      url: target.pathname + target.search,
      headers: { ...web.headers(), "content-type": "application/x-www-form-urlencoded" },
      payload: form.toString(),
    });
    expect(res.statusCode, res.body.slice(0, 2000)).toBe(200);
    expect(web.text(NAME)).toBe(`# tuned\n${original}`);
  });
});
