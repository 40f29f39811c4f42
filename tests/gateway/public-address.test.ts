import { describe, expect, it } from "vitest";
import { isObviouslyPrivateHost, isPublicIp } from "@/lib/gateway/public-address";

describe("callback destinations", () => {
  it("accepts public unicast addresses only", () => {
    for (const ip of ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"]) expect(isPublicIp(ip), ip).toBe(true);
    for (const ip of [
      "127.0.0.1",
      "10.0.0.1",
      "172.16.5.4",
      "192.168.1.1",
      "169.254.169.254",
      "0.0.0.0",
      "100.64.0.1",
      "::1",
      "fe80::1",
      "fc00::1",
      "::ffff:127.0.0.1",
      "224.0.0.1",
      "255.255.255.255",
    ]) {
      expect(isPublicIp(ip), ip).toBe(false);
    }
  });

  it("spots loopback and private hosts written literally", () => {
    for (const u of [
      "http://localhost/x",
      "http://api.localhost/x",
      "http://127.0.0.1:8080/cb",
      "http://[::1]/cb",
      "https://10.1.2.3/cb",
      "http://metadata.internal/x",
    ]) {
      expect(isObviouslyPrivateHost(new URL(u)), u).toBe(true);
    }
    expect(isObviouslyPrivateHost(new URL("https://example.com/cb"))).toBe(false);
  });
});
