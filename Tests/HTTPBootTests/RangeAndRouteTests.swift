import Inventory
import Testing
@testable import HTTPBoot

@Suite struct BootRequestRouterTests {
    let inventory: Inventory

    init() throws {
        let text = """
            server: {interface: eth0, tftp_root: /srv/tftp}
            networks:
              provision: {subnet: 10.0.0.0/24}
            images:
              alpha: {kernel: alpha/vmlinuz, initrd: alpha/initrd.gz, cmdline: root=dhcp, boot: ipxe}
            nodes:
              n1: {mac: "52:54:00:00:00:01", ip: 10.0.0.11, image: alpha}
            """
        let result = InventoryLoader.load(path: "/etc/netroot/nodes.yaml", bytes: Array(text.utf8))
        inventory = try #require(result.inventory, "\(result.diagnostics)")
    }

    @Test func aKnownMACGetsItsScriptAndAnUnknownOneA404() {
        guard case .script(let node, let text) = BootRequestRouter.resource(
            for: "/ipxe/01-52-54-00-00-00-01.ipxe", inventory: inventory, baseURL: "http://10.0.0.1:8080") else {
            Issue.record("no script")
            return
        }
        #expect(node == "n1")
        #expect(text.contains("kernel http://10.0.0.1:8080/alpha/vmlinuz"))
        #expect(BootRequestRouter.resource(for: "/ipxe/01-52-54-00-00-00-09.ipxe", inventory: inventory,
                                           baseURL: "http://h")
                == .notFound(reason: "no node with MAC 52:54:00:00:00:09 in nodes.yaml"))
        #expect(BootRequestRouter.resource(for: "/alpha/vmlinuz", inventory: inventory, baseURL: "http://h")
                == .file(path: "/alpha/vmlinuz"))
    }

    @Test func grubConfigsAreGeneratedHoweverManySlashesLead() {
        for path in ["/grub/grub.cfg", "//grub/grub.cfg", "/grub/x86_64-efi/grub.cfg"] {
            guard case .generated(let text) = BootRequestRouter.resource(for: path, inventory: inventory,
                                                                          baseURL: "http://h") else {
                Issue.record("\(path): not generated")
                continue
            }
            #expect(text.contains("configfile \"/grub/grub.cfg-${net_default_mac}\""))
        }
        guard case .generated(let node) = BootRequestRouter.resource(
            for: "/grub/grub.cfg-52:54:00:00:00:01", inventory: inventory, baseURL: "http://h") else {
            Issue.record("no per-node config")
            return
        }
        #expect(node.contains("linux /alpha/vmlinuz root=dhcp BOOTIF=01-52-54-00-00-00-01\n"))
        #expect(BootRequestRouter.resource(for: "/grub/x86_64-efi/command.lst", inventory: inventory,
                                           baseURL: "http://h") == .file(path: "/grub/x86_64-efi/command.lst"))
    }

    @Test func percentEscapesAreDecodedBeforeTheRootJudgesThePath() {
        #expect(BootRequestRouter.percentDecoded("/%2e%2E/etc/passwd") == "/../etc/passwd")
        #expect(BootRequestRouter.percentDecoded("/a%20b") == "/a b")
        #expect(BootRequestRouter.percentDecoded("/a%00b") == nil)
        #expect(BootRequestRouter.percentDecoded("/a%zz") == nil)
        #expect(BootRequestRouter.percentDecoded("/a%2") == nil)
        #expect(BootRequestRouter.percentDecoded("/%ff%fe") == nil, "not UTF-8")
    }
}
