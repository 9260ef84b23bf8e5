import BootConfig
import DHCP
import Inventory
import Testing

/// `boot: ipxe` nodes: iPXE (seen in a real capture from QEMU's iPXE ROM) gets its script URL; plain PXE ROMs
/// chain-load iPXE; UEFI HTTP boot gets iPXE over HTTP with option 60 echoed; pxelinux nodes are unchanged.
@Suite struct IPXEBootTests {
    let responder: Responder
    let context = RequestContext(serverAddress: serverAddress, now: startTime)

    init() throws {
        let yaml = testInventoryYAML.replacingOccurrences(
            of: "  compute: {image: rhel6}",
            with: "  compute: {image: rhel6}\n  fast: {image: rhel6, boot: ipxe}")
            .replacingOccurrences(of: "ip: 192.168.1.11, groups: [compute]", with: "ip: 192.168.1.11, groups: [fast]")
        responder = Responder(inventory: try testInventory(yaml))
    }

    private func offer(_ message: DHCPMessage) throws -> DHCPMessage {
        var leases = LeaseTable()
        return try #require(responder.respond(to: message, context: context, leases: &leases).reply).0
    }

    @Test func iPXEGetsTheURLOfItsScript() throws {
        let discover = try DHCPMessage(decoding: captured("ipxe-bios-discover"))
        #expect(ClientFacts(discover).isIPXE)
        let reply = try offer(discover)
        #expect(reply.fileName == "http://192.168.1.200:8080/ipxe/01-52-54-00-12-34-57.ipxe")
        #expect(reply.options.vendorClassIdentifier == "PXEClient")
        #expect(reply.options.rootPath == nil)
        // compute2 boots pxelinux: the same iPXE request gets pxelinux.0 as before.
        #expect(try offer(withMAC(discover, "52:54:00:12:34:56")).fileName == "pxelinux.0")
    }

    @Test func aPlainPXEROMChainLoadsIPXEOverTFTP() throws {
        var discover = try DHCPMessage(decoding: captured("ipxe-bios-discover"))
        discover.options[OptionCode.userClass] = nil
        discover.options[ClientFacts.ipxeEncapsulatedOption] = nil
        #expect(!ClientFacts(discover).isIPXE)
        #expect(try offer(discover).fileName == "undionly.kpxe")
        discover.options[OptionCode.clientSystemArchitecture] = [0, 7]
        #expect(try offer(discover).fileName == "snponly.efi")
    }

    @Test func uefiHTTPBootGetsIPXEOverHTTPAndHTTPClientEchoed() throws {
        let discover = clientMessage(.discover, mac: "52:54:00:12:34:57") { message in
            message.options[OptionCode.vendorClassIdentifier] = Array("HTTPClient:Arch:00016:UNDI:003001".utf8)
            message.options[OptionCode.clientSystemArchitecture] = [0, 16]
        }
        let reply = try offer(discover)
        #expect(reply.fileName == "http://192.168.1.200:8080/snponly.efi")
        #expect(reply.options.vendorClassIdentifier == "HTTPClient")
        #expect(reply.options[OptionCode.vendorSpecific] == nil)
        #expect(reply.options.rootPath == nil)
        // A pxelinux node cannot HTTP-boot: no bootfile rather than one it cannot use.
        #expect(try offer(withMAC(discover, "52:54:00:12:34:56")).fileName == "")
    }

    @Test func scriptPathsNameTheMACAndNothingElse() {
        let mac = MACAddress("52:54:00:12:34:57")!
        #expect(IPXEScriptPath.scriptPath(mac: mac) == "/ipxe/01-52-54-00-12-34-57.ipxe")
        #expect(IPXEScriptPath.mac(inScriptPath: "/ipxe/01-52-54-00-12-34-57.ipxe") == mac)
        for other in ["/ipxe/01-52-54-00-12-34.ipxe", "/ipxe/../01-52-54-00-12-34-57.ipxe", "/ipxe/x.ipxe",
                      "/rhel6/vmlinuz"] {
            #expect(IPXEScriptPath.mac(inScriptPath: other) == nil, "\(other)")
        }
    }
}
