import Inventory
import Testing

/// A cluster-sized inventory: 10,000 nodes across 40 /24 networks, four groups, two images.
func generatedInventory(nodes count: Int) -> String {
    var text = "server:\n  interface: br0\nnetworks:\n"
    let networkCount = (count + 199) / 200
    for network in 0..<networkCount {
        text += "  net\(network):\n    subnet: 10.\(network / 256).\(network % 256).0/24\n    lease_time: 12h\n"
    }
    text += """
        images:
          base: {kernel: base/vmlinuz, initrd: base/initrd.img, root_path: "nfs:10.0.0.2:/base", cmdline: root=dhcp ro}
          gpu: {kernel: gpu/vmlinuz, initrd: gpu/initrd.img, root_path: "nfs:10.0.0.2:/gpu"}
        groups:
          compute: {image: base}
          gpu: {image: gpu}
          debug: {cmdline: root=dhcp ro debug}
          scratch: {root_path: "nfs:10.0.0.3:/scratch"}
        nodes:

        """
    let groupSets = ["[compute]", "[compute, debug]", "[gpu]", "[gpu, scratch, debug]"]
    for index in 0..<count {
        let network = index / 200
        let host = index % 200 + 10
        let mac = String(format6: index)
        text += "  n\(index):\n    mac: \(mac)\n    ip: 10.\(network / 256).\(network % 256).\(host)\n"
            + "    groups: \(groupSets[index % groupSets.count])\n"
    }
    return text
}

extension String {
    /// `52:54:00:XX:XX:XX` from a counter.
    init(format6 index: Int) {
        let bytes = [index >> 16 & 0xff, index >> 8 & 0xff, index & 0xff]
        self = "52:54:00:" + bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: ":")
    }
}

@Suite struct ScaleTests {
    @Test func tenThousandNodesLoadValidateAndResolve() throws {
        let text = generatedInventory(nodes: 10_000)
        let clock = ContinuousClock()
        var result: InventoryLoadResult?
        let elapsed = clock.measure { result = load(text) }
        let inventory = try #require(result?.inventory)
        #expect(result?.diagnostics.errors.isEmpty == true)
        #expect(inventory.profiles.count == 10_000)
        #expect(inventory.networks.count == 50)
        let last = try #require(inventory.profile(named: "n9999"))
        #expect(last.ip.description == "10.0.49.209")
        #expect(last.cmdline == Resolved("root=dhcp ro debug", from: .group("debug")))
        #expect(last.rootPath == Resolved(nfsRoot("nfs:10.0.0.3:/scratch"), from: .group("scratch")))
        #expect(inventory.profile(mac: MACAddress(String(format6: 4242))!)?.name == "n4242")
        // Timing belongs to the release benchmark (integration/bench/inventory-scale); this only reports.
        print("10,000-node inventory (debug build): \(elapsed)")
    }

    @Test func aDuplicateAmongTenThousandIsFound() {
        let text = generatedInventory(nodes: 10_000) + "  late:\n    mac: 52:54:00:00:00:07\n    ip: 10.0.0.250\n"
        let errors = load(text).diagnostics.errors.map(\.description)
        #expect(errors == ["nodes.yaml:40164:10: node late: MAC 52:54:00:00:00:07 is already used by node n7 (line 192)"])
    }
}
