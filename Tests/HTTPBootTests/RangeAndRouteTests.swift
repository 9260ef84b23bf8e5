import Inventory
import Testing
@testable import HTTPBoot

@Suite struct RangeAnswerTests {
    @Test func theRangesCurlWgetAndIPXESendAreServed() {
        #expect(RangeAnswer(header: nil, size: 1000) == .whole)
        #expect(RangeAnswer(header: "bytes=0-499", size: 1000) == .part(first: 0, last: 499))
        #expect(RangeAnswer(header: "bytes=500-", size: 1000) == .part(first: 500, last: 999))
        #expect(RangeAnswer(header: "bytes=-100", size: 1000) == .part(first: 900, last: 999))
        #expect(RangeAnswer(header: "bytes=-5000", size: 1000) == .part(first: 0, last: 999))
        #expect(RangeAnswer(header: "bytes=990-5000", size: 1000) == .part(first: 990, last: 999))
    }

    @Test func pastTheEndIsUnsatisfiableAndAnythingElseIsTheWholeFile() {
        #expect(RangeAnswer(header: "bytes=1000-", size: 1000) == .unsatisfiable)
        #expect(RangeAnswer(header: "bytes=-0", size: 1000) == .unsatisfiable)
        #expect(RangeAnswer(header: "bytes=0-", size: 0) == .unsatisfiable)
        for ignored in ["bytes=0-1,5-9", "items=0-1", "bytes=5-1", "bytes=a-b", "bytes=", "bytes=-", "bytes=+1-2",
                        "bytes=99999999999999999999999-"] {
            #expect(RangeAnswer(header: ignored, size: 1000) == .whole, "\(ignored)")
        }
    }
}

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

    @Test func percentEscapesAreDecodedBeforeTheRootJudgesThePath() {
        #expect(BootRequestRouter.percentDecoded("/%2e%2E/etc/passwd") == "/../etc/passwd")
        #expect(BootRequestRouter.percentDecoded("/a%20b") == "/a b")
        #expect(BootRequestRouter.percentDecoded("/a%00b") == nil)
        #expect(BootRequestRouter.percentDecoded("/a%zz") == nil)
        #expect(BootRequestRouter.percentDecoded("/a%2") == nil)
        #expect(BootRequestRouter.percentDecoded("/%ff%fe") == nil, "not UTF-8")
    }
}
