import Inventory
import Testing

/// Edits of nodes.yaml's text: the edited lines change, every other byte (comments, blank lines, quoting,
/// flow entries) stays.
@Suite struct InventoryDocumentTests {
    static let original = """
        # The cluster.
        server:
          interface: br0      # provisioning VLAN
          address: 192.168.1.200
        networks:
          provision: {subnet: 192.168.1.0/24, router: 192.168.1.1}
        images:
          rhel6: {kernel: rhel6/vmlinuz}
        groups:
          compute:
            image: rhel6
        nodes:
          # rack 1
          compute1:
            mac: 52:54:00:00:00:01
            ip: 192.168.1.11     # fixed by the switch port
            groups:
              - compute
            # cmdline: debug
          compute2: {mac: "52:54:00:00:00:02", ip: 192.168.1.12, bmc: {address: 10.1.1.2}}

          # rack 2
          compute3:
            mac: 52:54:00:00:00:03
            ip: 192.168.1.13
        # end of file

        """

    static func edited(_ change: (inout InventoryDocument) throws -> Void) throws -> String {
        var document = InventoryDocument(text: original)
        try change(&document)
        let result = load(document.text, existingFiles: baseFiles)
        #expect(result.inventory != nil, "\(result.diagnostics.map(\.description))\n\(document.text)")
        return document.text
    }

    /// `original` with line `number` (1-based) replaced by `lines`.
    static func original(replacing number: Int, count: Int = 1, with lines: [String]) -> String {
        var all = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        all.replaceSubrange((number - 1)..<(number - 1 + count), with: lines)
        return all.joined(separator: "\n")
    }

    @Test func aScalarChangesAndItsCommentStays() throws {
        let text = try Self.edited { try $0.set(["nodes", "compute1", "ip"], to: .text("192.168.1.21")) }
        #expect(text == Self.original(replacing: 16, with: ["    ip: 192.168.1.21     # fixed by the switch port"]))
    }

    @Test func aNewNestedKeyGoesAfterTheEntrysOwnLines() throws {
        let text = try Self.edited { try $0.set(["nodes", "compute1", "bmc", "address"], to: .text("10.1.1.1")) }
        #expect(text == Self.original(replacing: 19, with: ["    # cmdline: debug", "    bmc:",
                                                            "      address: 10.1.1.1"]))
    }

    @Test func aFlowEntryIsEditedInPlace() throws {
        let text = try Self.edited { document in
            try document.set(["nodes", "compute2", "bmc", "address"], to: .text("10.1.1.22"))
            try document.set(["nodes", "compute2", "image"], to: .text("rhel6"))
            try document.set(["nodes", "compute2", "bmc", "username"], to: .text("ADMIN"))
        }
        #expect(text == Self.original(replacing: 20, with: [
            "  compute2: {mac: \"52:54:00:00:00:02\", ip: 192.168.1.12, bmc: {address: 10.1.1.22, username: ADMIN}, "
                + "image: rhel6}",
        ]))
    }

    @Test func aKeyIsRemovedWithItsOwnLinesOrComma() throws {
        let block = try Self.edited { try $0.set(["nodes", "compute1", "groups"], to: nil) }
        #expect(block == Self.original(replacing: 17, count: 2, with: []))
        let flow = try Self.edited { try $0.set(["nodes", "compute2", "bmc"], to: nil) }
        #expect(flow == Self.original(replacing: 20, with: [
            "  compute2: {mac: \"52:54:00:00:00:02\", ip: 192.168.1.12}",
        ]))
    }

    @Test func aBlockListBecomesAFlowList() throws {
        let text = try Self.edited { try $0.set(["nodes", "compute1", "groups"], to: .list(["compute"])) }
        #expect(text.contains("    groups: [compute]\n    # cmdline: debug\n"))
        #expect(!text.contains("- compute"))
    }

    @Test func anEntryIsAppendedAfterTheLastEntry() throws {
        let lines = InventoryDocument.entryLines(name: "compute4", keys: [
            ("mac", .text("52:54:00:00:00:04")), ("ip", .text("192.168.1.14")), ("groups", .list(["compute"])),
            ("bmc.address", .text("10.1.1.4")), ("bmc.password_file", .text("/etc/netroot/bmc pw")),
        ])
        let text = try Self.edited { try $0.appendEntry(lines, toSection: "nodes") }
        #expect(text == Self.original(replacing: 25, with: [
            "    ip: 192.168.1.13", "  compute4:", "    mac: 52:54:00:00:00:04", "    ip: 192.168.1.14",
            "    groups: [compute]", "    bmc:", "      address: 10.1.1.4", "      password_file: /etc/netroot/bmc pw",
        ]))
    }

    @Test func anEntryIsRemovedAndTheCommentsAroundItStay() throws {
        let block = try Self.edited { try $0.removeEntry("compute1", fromSection: "nodes") }
        #expect(block == Self.original(replacing: 14, count: 6, with: []))
        let flow = try Self.edited { try $0.removeEntry("compute2", fromSection: "nodes") }
        #expect(flow == Self.original(replacing: 20, with: []))
    }

    @Test func anEmptyFlowSectionBecomesABlockOne() throws {
        var document = InventoryDocument(text: "server:\n  interface: br0\nnodes: {}   # none yet\n")
        try document.appendEntry(["n1:", "  mac: 52:54:00:00:00:01"], toSection: "nodes")
        #expect(document.text == "server:\n  interface: br0\nnodes:    # none yet\n  n1:\n    mac: 52:54:00:00:00:01\n")
        var absent = InventoryDocument(text: "server:\n  interface: br0")
        try absent.appendEntry(["lan:", "  subnet: 10.0.0.0/24"], toSection: "networks")
        #expect(absent.text == "server:\n  interface: br0\nnetworks:\n  lan:\n    subnet: 10.0.0.0/24\n")
    }

    @Test func valuesAreQuotedWhenPlainTextWouldReadDifferently() {
        #expect(InventoryDocument.entryLines(name: "n", keys: [("cmdline", .text("root=dhcp ro # x")),
                                                               ("hostname", .text("null")),
                                                               ("image", .text("@x")),
                                                               ("root_path", .text("nfs:10.0.0.1:/srv"))])
            == ["n:", "  cmdline: \"root=dhcp ro # x\"", "  hostname: \"null\"", "  image: \"@x\"",
                "  root_path: nfs:10.0.0.1:/srv"])
    }

    @Test func aNonEmptyFlowSectionIsRefused() {
        var document = InventoryDocument(text: "server: {interface: br0}\nnodes: {a: {mac: 52:54:00:00:00:01}}\n")
        #expect(throws: InventoryEditError("nodes: is written in flow style ({...}); add the entry by hand")) {
            try document.appendEntry(["b:"], toSection: "nodes")
        }
    }
}
