import DHCP
import Inventory
import Testing

/// `boot: grub` nodes: x86-64 UEFI gets the signed shim, ARM64 UEFI its arm64 shim, UEFI HTTP boot the shim's
/// URL; BIOS keeps pxelinux; an ARM64 node on another path gets no bootfile and a reason naming the key to set.
@Suite struct GRUBBootTests {
    let responder: Responder
    let context = RequestContext(serverAddress: serverAddress, now: startTime)

    init() throws {
        let yaml = testInventoryYAML.replacingOccurrences(
            of: "  compute: {image: rhel6}",
            with: "  compute: {image: rhel6}\n  secure: {image: rhel6, boot: grub, secure_boot: true}")
            .replacingOccurrences(of: "ip: 192.168.1.11, groups: [compute]", with: "ip: 192.168.1.11, groups: [secure]")
        responder = Responder(inventory: try testInventory(yaml))
    }

    private func decide(_ message: DHCPMessage) throws -> Decision.Reply {
        var leases = LeaseTable()
        guard case .reply(let reply) = responder.respond(to: message, context: context, leases: &leases) else {
            throw Unanswered()
        }
        return reply
    }

    private struct Unanswered: Error {}

    /// A firmware DISCOVER as OVMF and AAVMF send it (option 60 `PXEClient:Arch:000NN:UNDI:003000`, 93).
    private func firmwareDiscover(_ mac: String, architecture: UInt16, http: Bool = false) -> DHCPMessage {
        clientMessage(.discover, mac: mac) { message in
            let arch = String(repeating: "0", count: 5 - String(architecture).count) + String(architecture)
            let vendor = (http ? "HTTPClient" : "PXEClient") + ":Arch:\(arch):UNDI:003000"
            message.options[OptionCode.vendorClassIdentifier] = Array(vendor.utf8)
            message.options[OptionCode.clientSystemArchitecture] = [UInt8(architecture >> 8), UInt8(architecture & 0xFF)]
        }
    }

    @Test(arguments: [(UInt16(7), "bootx64.efi"), (9, "bootx64.efi"), (11, "bootaa64.efi"), (0, "pxelinux.0")])
    func theFirmwareGetsTheShimForItsArchitecture(architecture: UInt16, bootfile: String) throws {
        let reply = try decide(firmwareDiscover("52:54:00:12:34:57", architecture: architecture))
        #expect(reply.message.fileName == bootfile)
        #expect(reply.message.options.vendorClassIdentifier == "PXEClient")
        #expect(reply.message.options.rootPath == nil)
        #expect(reply.missingLoader == nil)
    }

    @Test(arguments: [(UInt16(16), "http://192.168.1.200:8080/bootx64.efi"),
                      (19, "http://192.168.1.200:8080/bootaa64.efi")])
    func uefiHTTPBootGetsTheShimsURL(architecture: UInt16, url: String) throws {
        let reply = try decide(firmwareDiscover("52:54:00:12:34:57", architecture: architecture, http: true))
        #expect(reply.message.fileName == url)
        #expect(reply.message.options.vendorClassIdentifier == "HTTPClient")
    }

    @Test func anARM64NodeOnPXELinuxGetsNoBootfileAndTheReasonWhy() throws {
        // compute2 boots pxelinux: nothing for ARM64 but an address, and the key to set.
        let reply = try decide(firmwareDiscover("52:54:00:12:34:56", architecture: 11))
        #expect(reply.message.fileName == "")
        let advice = try #require(reply.missingLoader)
        #expect(advice.contains("ARM64 UEFI (client architecture 11)"))
        #expect(advice.contains("set boot: grub"))
        // The same node's x86-64 UEFI firmware is served as before, with nothing to say.
        let uefi = try decide(firmwareDiscover("52:54:00:12:34:56", architecture: 7))
        #expect(uefi.message.fileName == "efi64/syslinux.efi")
        #expect(uefi.missingLoader == nil)
    }

    @Test func theShimNamesComeFromServerBootfile() throws {
        let yaml = testInventoryYAML
            .replacingOccurrences(of: "  compute: {image: rhel6}", with: "  compute: {image: rhel6, boot: grub}")
            .replacingOccurrences(of: "bootfile: {bios: pxelinux.0, uefi: efi64/syslinux.efi}",
                                  with: "bootfile: {uefi_shim: sb/shimx64.efi, arm64_shim: sb/shimaa64.efi}")
        let responder = Responder(inventory: try testInventory(yaml))
        var leases = LeaseTable()
        let x86 = responder.respond(to: firmwareDiscover("52:54:00:12:34:57", architecture: 7), context: context,
                                    leases: &leases).reply?.0
        #expect(x86?.fileName == "sb/shimx64.efi")
        let arm = responder.respond(to: firmwareDiscover("52:54:00:12:34:57", architecture: 11), context: context,
                                    leases: &leases).reply?.0
        #expect(arm?.fileName == "sb/shimaa64.efi")
    }
}
