// A refusal told everyone "Ask an admin if you need it", but no admin can change a user's role (no page, API or
// command does): a rule tuner refused the cases, or an auditor (a SIEM's account) refused the rules, asked for
// something that cannot be given. Where an admin cannot act in their place, the refusal now says what an admin can
// do: add a user with the role needed. Where the admin role holds the permission, an admin can, and it says so.
import { describe, expect, it } from "vitest";
import { bearer, embeddedWeb } from "./helpers/web.js";
import { defaultRulesCopies } from "./helpers/rules.js";

const openWeb = embeddedWeb();
const rulesDir = defaultRulesCopies("refusal-role-kept");

describe("a refusal for lack of permission", { timeout: 60_000 }, () => {
  it("asks an admin for what an admin can do", async () => {
    const { auth, app } = await openWeb({ rulesDir: rulesDir() });
    const tuner = await bearer(auth, "tom", "rule-tuner");
    const siem = await bearer(auth, "siem", "auditor");
    const reviewer = await bearer(auth, "rita", "reviewer");
    const error = async (url: string, headers: { authorization: string }) => (await app.inject({ method: "GET", url, headers })).json<{ error: string }>().error;

    expect(await error("/api/cases", tuner)).toBe(
      "tom is a rule-tuner; this needs the reviewer role (cases:read). A user keeps the role they were added with: if you need this, ask an admin to add you a user with the reviewer role.",
    );
    expect(await error("/api/rules", siem)).toBe(
      "siem is an auditor; this needs the rule-tuner role (rules:read). A user keeps the role they were added with: if you need this, ask an admin to add you a user with the rule-tuner role.",
    );
    // an admin can manage users and export the audit trail for you
    expect(await error("/api/users", siem)).toBe("siem is an auditor; this needs the admin role (users:manage). Ask an admin if you need it.");
    expect(await error("/api/audit", reviewer)).toBe("rita is a reviewer; this needs the admin or auditor role (audit:export). Ask an admin if you need it.");
  });
});
