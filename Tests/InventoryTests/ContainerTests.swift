@testable import Inventory
import Testing

@Suite("containers: section")
struct ContainerTests {
    /// `baseInventory` with a node at .11, a bridge, then the given containers (from line 22).
    private func inventory(_ containers: String, bridge: Bool = true) -> String {
        baseInventory + "  n1: {mac: 52:54:00:00:00:01, ip: 192.168.1.11, groups: [compute]}\n"
            + (bridge ? "bridge: {name: br0, uplink: eth0}\n" : "") + "containers:\n" + containers
    }

    @Test("a container by namespace path or PID; prefix, gateway and interface default from its network")
    func valid() throws {
        let result = load(inventory("""
              nfs: {address: 192.168.1.250/24, netns: /var/run/netns/nfs}
              tools: {address: 192.168.1.251, pid: 4242, gateway: 192.168.1.254, interface: prov0}

            """), existingFiles: ["/srv/images", "/srv/images/rhel6/vmlinuz", "/srv/images/rhel6/initrd.img"])
        let containers = try #require(result.inventory?.containers, "\(result.diagnostics)")
        #expect(containers == [
            ContainerSettings(name: "nfs", address: IPv4Address("192.168.1.250")!, prefixLength: 24,
                              gateway: IPv4Address("192.168.1.1")!, namespace: .path("/var/run/netns/nfs"),
                              interface: "eth1"),
            ContainerSettings(name: "tools", address: IPv4Address("192.168.1.251")!, prefixLength: 24,
                              gateway: IPv4Address("192.168.1.254")!, namespace: .pid(4242), interface: "prov0"),
        ])
        #expect(containers[1].namespace.path == "/proc/4242/ns/net")
    }

    @Test("each mistake is reported at its line and column")
    func mistakes() {
        let errors = load(inventory("""
              a: {address: 192.168.1.11/24, netns: /run/netns/a}
              b: {address: 10.9.9.9/24, pid: 7}
              c: {address: 192.168.1.252/16, gateway: 10.0.0.1, netns: /x, pid: 8}
              d: {address: 192.168.1.253}
              e: {address: 192.168.1.150/24, pid: 9}

            """)).diagnostics.errors.map(\.description)
        #expect(errors == [
            "nodes.yaml:22:16: container a: IP 192.168.1.11 is already used by node n1",
            "nodes.yaml:23:16: container b: IP 10.9.9.9 is not inside any network's subnet (declared: provision 192.168.1.0/24)",
            "nodes.yaml:24:16: container c: prefix /16 differs from network provision (192.168.1.0/24)",
            "nodes.yaml:24:43: container c: gateway 10.0.0.1 is outside network provision (192.168.1.0/24)",
            "nodes.yaml:24:60: container c: give exactly one of 'netns' (a namespace path) and 'pid' (a process in it)",
            "nodes.yaml:25:3: container d: give exactly one of 'netns' (a namespace path) and 'pid' (a process in it)",
            "nodes.yaml:26:16: container e: IP 192.168.1.150 is inside the pool of network provision (192.168.1.100-192.168.1.199); a reserved address must be outside the pool",
        ])
    }

    @Test("containers need a bridge to be plumbed onto")
    func needsBridge() {
        let errors = load(inventory("  nfs: {address: 192.168.1.250/24, pid: 1}\n", bridge: false))
            .diagnostics.errors.map(\.description)
        #expect(errors == ["nodes.yaml:20:1: containers: containers are plumbed onto the bridge: add a 'bridge:' section"])
    }
}
