// The sign-in throttle holds an address after 20 wrong passwords; an IPv6 client holds a whole /64 (privacy
// addresses, RFC 4941: a new one at will), so it tried every name it liked from a fresh address each time. It is now
// counted by its /64.
import { describe, expect, it } from "vitest";
import { throttledClient } from "../src/web/auth.js";
import { embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("sign-in throttle for IPv6 clients", { timeout: 60_000 }, () => {
  it("counts every address of one /64 as one client", async () => {
    const { app } = await openWeb();
    const from = (remoteAddress: string, i: number) => app.inject({ method: "POST", url: "/login", payload: { username: `guess-${i}`, password: "not-a-password-x" }, remoteAddress });
    for (let i = 0; i < 20; i++) expect((await from(`2001:db8:1:2:${(i + 1).toString(16)}::1`, i)).statusCode).toBe(401);
    // any other address of that /64, however written, is held; the next /64 is not
    expect((await from("2001:DB8:1:2:ffff:ffff:ffff:ffff", 20)).statusCode).toBe(429);
    expect((await from("2001:db8:1:2::", 21)).statusCode).toBe(429);
    expect((await from("2001:db8:1:3::1", 22)).statusCode).toBe(401);
  });

  it("names a client by its IPv4 address, or its IPv6 address's /64 however the address is written", () => {
    expect(
      ["192.0.2.7", "::ffff:192.0.2.7", "2001:db8::1:2:3:4:5", "2001:0DB8:0000:0001:0002::", "::1", "fe80::1%eth0", "::", "1:2:3:4:5:6:7:8", "1::8", "::c000:207"].map(throttledClient),
    ).toEqual(["192.0.2.7", "192.0.2.7", "2001:db8:0:1::/64", "2001:db8:0:1::/64", "0:0:0:0::/64", "fe80:0:0:0::/64", "0:0:0:0::/64", "1:2:3:4::/64", "1:0:0:0::/64", "0:0:0:0::/64"]);
  });
});
