import type { FastifyInstance, LightMyRequestResponse } from "fastify";

// What a browser sends when a button of a page is pressed: the fields of the button's form only (hidden ones, what
// was typed into its text fields and text areas, the option chosen in its selects) and the button's own name and
// value, to the button's formaction or else the form's action. A field typed into that is in another form is not sent.
const ENTITIES: Record<string, string> = { "&quot;": '"', "&#39;": "'", "&lt;": "<", "&gt;": ">", "&amp;": "&" };
const text = (s: string): string => s.replace(/&(quot|#39|lt|gt|amp);/g, (e) => ENTITIES[e]!);
const attr = (attrs: string, name: string): string | undefined => {
  const m = new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attrs);
  return m ? text(m[1]!) : undefined;
};

export interface Sent {
  url: string;
  fields: Record<string, string>;
}

/**
 * The request a press of the button whose text starts with `label` sends, after `typed` (by field name) was typed
 * into the page's fields; undefined if the page has no such button.
 */
export function press(page: string, label: string, typed: Record<string, string> = {}): Sent | undefined {
  for (const [, formAttrs, inner] of page.matchAll(/<form ([^>]*)>(.*?)<\/form>/gs)) {
    const button = [...inner!.matchAll(/<button([^>]*)>([^<]*)<\/button>/g)].find((b) => text(b[2]!).startsWith(label));
    if (!button) continue;
    const fields: Record<string, string> = {};
    for (const [, a] of inner!.matchAll(/<input ([^>]*)>/g)) {
      const name = attr(a!, "name");
      if (name !== undefined && attr(a!, "type") !== "checkbox") fields[name] = attr(a!, "value") ?? "";
    }
    for (const [, a, content] of inner!.matchAll(/<textarea ([^>]*)>(.*?)<\/textarea>/gs)) fields[attr(a!, "name")!] = text(content!);
    for (const [, a, options] of inner!.matchAll(/<select ([^>]*)>(.*?)<\/select>/gs)) {
      const all = [...options!.matchAll(/<option value="([^"]*)"( selected)?>/g)];
      fields[attr(a!, "name")!] = text((all.find((o) => o[2]) ?? all[0])?.[1] ?? "");
    }
    for (const [name, value] of Object.entries(typed)) if (Object.hasOwn(fields, name)) fields[name] = value;
    const name = attr(button[1]!, "name");
    if (name !== undefined) fields[name] = attr(button[1]!, "value") ?? "";
    return { url: attr(button[1]!, "formaction") ?? attr(formAttrs!, "action")!, fields };
  }
  return undefined;
}

/** Sends a press (a form, as the browser encodes it) with `headers` (a session or an API token). */
export function send(app: FastifyInstance, headers: Record<string, string>, s: Sent | undefined): Promise<LightMyRequestResponse> {
  if (!s) throw new Error("the page has no such button");
  return app.inject({ method: "POST", url: s.url, headers: { ...headers, "content-type": "application/x-www-form-urlencoded" }, payload: new URLSearchParams(s.fields).toString() });
}
