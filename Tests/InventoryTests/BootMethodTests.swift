import Inventory
import Testing

/// `boot: pxelinux | ipxe` and `server.http_boot_port`: validated at their place, resolved node over groups over image.
@Suite struct BootMethodTests {
    private func inventory(image: String = "", group: String = "", node: String = "") -> String {
        baseInventory
            .replacingOccurrences(of: "    cmdline: root=dhcp ro\n", with: "    cmdline: root=dhcp ro\n" + image)
            .replacingOccurrences(of: "    image: rhel6\n", with: "    image: rhel6\n" + group)
            + "  compute1: {mac: \"52:54:00:00:00:01\", ip: 192.168.1.11, groups: [compute]\(node)}\n"
            + "  compute2: {mac: \"52:54:00:00:00:02\", ip: 192.168.1.12, groups: [compute]}\n"
    }

    @Test func theNodeWinsOverItsGroupWhichWinsOverTheImage() throws {
        let result = load(inventory(image: "    boot: ipxe\n"), existingFiles: baseFiles)
        let byImage = try #require(result.inventory, "\(result.diagnostics)")
        #expect(byImage.profile(named: "compute1")?.boot == Resolved(.ipxe, from: .image("rhel6")))
        let grouped = try #require(load(inventory(image: "    boot: ipxe\n", group: "    boot: pxelinux\n",
                                                  node: ", boot: ipxe"), existingFiles: baseFiles).inventory)
        #expect(grouped.profile(named: "compute1")?.boot == Resolved(.ipxe, from: .node))
        #expect(grouped.profile(named: "compute2")?.boot == Resolved(.pxelinux, from: .group("compute")))
        let plain = try #require(load(inventory(), existingFiles: baseFiles).inventory)
        #expect(plain.profile(named: "compute2")?.boot == Resolved(.pxelinux, from: .defaultValue))
        #expect(plain.server.httpBootPort == 8080)
    }

    @Test func aBadBootValueOrPortIsRefusedAtItsPlace() {
        #expect(findings(inventory(group: "    boot: ipx\n"), existingFiles: baseFiles)
                == ["nodes.yaml:18:11: group compute: invalid boot 'ipx' (expected pxelinux, ipxe or grub)"])
        let port = baseInventory.replacingOccurrences(of: "  address: 192.168.1.200\n",
                                                      with: "  address: 192.168.1.200\n  http_boot_port: 80800\n")
        #expect(findings(port, existingFiles: baseFiles)
                == ["nodes.yaml:4:19: server: invalid http_boot_port '80800' (expected a port from 1 to 65535)"])
    }

    @Test func aCmdlineIPXEWouldExpandIsAWarning() {
        let text = baseInventory.replacingOccurrences(of: "cmdline: root=dhcp ro", with: "cmdline: root=dhcp x=${y}")
        #expect(findings(text, existingFiles: baseFiles) == [
            "nodes.yaml:14:14: warning: image rhel6: cmdline contains '${', which iPXE would expand: a node with "
                + "boot: ipxe and this cmdline boots its local disk"])
    }
}
