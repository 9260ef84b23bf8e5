import BootConfig
import ByteOrder
import Inventory

/// Encodes a policy decision as a reply message: which options, in which order, for which client.
struct ReplyBuilder {
    let inventory: Inventory
    let context: RequestContext

    /// PXE discovery control (PXE 2.1 §2.4.4, sub-option 6) = 8: boot the file named in this reply
    /// directly, with no boot server discovery.
    static let pxeDirectBoot: [UInt8] = [6, 1, 8, OptionCode.end]

    /// Options every reply starts with, in this order; the client's list (55) orders the rest.
    private static let leadingOptions: [UInt8] = [
        OptionCode.messageType, OptionCode.serverIdentifier, OptionCode.leaseTime, OptionCode.renewalTime,
        OptionCode.rebindingTime,
    ]

    /// An OFFER or ACK giving `address` (nil for an INFORM answer, which carries configuration only).
    func reply(_ type: DHCPMessageType, to request: DHCPMessage, address: IPv4Address?, network: Network,
               profile: BootProfile?, facts: ClientFacts, rememberedArchitecture: UInt16?) -> DHCPMessage {
        var reply = base(for: request)
        let server = inventory.server
        let nextServer = server.address ?? context.serverAddress
        reply.yiaddr = address ?? IPv4Address(0)
        reply.siaddr = nextServer

        var options: [UInt8: [UInt8]] = [:]
        options[OptionCode.messageType] = [type.rawValue]
        options[OptionCode.serverIdentifier] = context.serverAddress.bytes
        if address != nil {
            let seconds = (profile?.leaseTime.value ?? network.leaseTime).seconds
            options[OptionCode.leaseTime] = BigEndian.bytes(seconds)
            if seconds != UInt32.max {
                // RFC 2131 §4.4.5 defaults: T1 = 0.5, T2 = 0.875 of the lease.
                options[OptionCode.renewalTime] = BigEndian.bytes(seconds / 2)
                options[OptionCode.rebindingTime] = BigEndian.bytes(UInt32(UInt64(seconds) * 7 / 8))
            }
        }
        options[OptionCode.subnetMask] = network.subnet.mask.bytes
        options[OptionCode.broadcastAddress] = network.subnet.broadcast.bytes
        if let router = network.router { options[OptionCode.router] = router.bytes }
        if !network.dns.isEmpty { options[OptionCode.domainNameServer] = network.dns.flatMap(\.bytes) }
        if let domain = network.domain { options[OptionCode.domainName] = Array(domain.utf8) }
        if let profile { options[OptionCode.hostName] = Array(profile.hostname.value.utf8) }

        // The bootfile follows the firmware's architecture; a client that does not say (syslinux.efi's own
        // DHCP, the initramfs) gets the one its firmware asked for earlier, else BIOS.
        let architecture = facts.architecture ?? rememberedArchitecture ?? 0
        if let bootfile = bootfile(forArchitecture: architecture, profile: profile, facts: facts,
                                   nextServer: nextServer) {
            reply.file = Array(bootfile.utf8.prefix(127))
            if request.options.parameterRequestList.contains(OptionCode.bootfileName) {
                options[OptionCode.bootfileName] = Array(bootfile.utf8)
            }
        }
        if facts.isHTTPBootClient {
            // UEFI HTTP boot ignores a reply without option 60 HTTPClient; it is firmware: no root-path either.
            options[OptionCode.vendorClassIdentifier] = Array("HTTPClient".utf8)
        } else if facts.isPXEFirmware {
            // Without option 60 echoed, iPXE waits 3 s for ProxyDHCP offers (FIRMWARE-FACTS pitfall 2).
            options[OptionCode.vendorClassIdentifier] = Array("PXEClient".utf8)
            options[OptionCode.vendorSpecific] = Self.pxeDirectBoot
            if let uuid = request.options.clientMachineIdentifier { options[OptionCode.clientMachineIdentifier] = uuid }
        } else if let rootPath = profile?.rootPath?.value {
            // Never to PXE firmware: iPXE tries to SAN-boot a root-path and fails (FIRMWARE-FACTS pitfall 1).
            options[OptionCode.rootPath] = rootPath.optionText
        }
        reply.options = ordered(options, for: request)
        return reply
    }

    /// A NAK (RFC 2131 §4.3.2, table 3): no address, no configuration, a message saying why.
    func nak(_ request: DHCPMessage, message: String) -> DHCPMessage {
        var reply = base(for: request)
        reply.options.messageType = .nak
        reply.options.serverIdentifier = context.serverAddress
        reply.options[OptionCode.message] = Array(message.utf8.prefix(200))
        if let relay = request.options.relayAgentInformation { reply.options.relayAgentInformation = relay }
        if request.giaddr.value != 0 { reply.broadcastFlag = true } // the relay must broadcast it (§4.1)
        return reply
    }

    private func base(for request: DHCPMessage) -> DHCPMessage {
        var reply = DHCPMessage(op: .reply, xid: request.xid, chaddr: request.chaddr, htype: request.htype,
                                hlen: request.hlen)
        reply.flags = request.flags
        reply.giaddr = request.giaddr
        reply.ciaddr = request.options.messageType == .inform || request.options.messageType == .request
            ? request.ciaddr : IPv4Address(0)
        return reply
    }

    private func bootfile(forArchitecture architecture: UInt16, profile: BootProfile?, facts: ClientFacts,
                          nextServer: IPv4Address) -> String? {
        let server = inventory.server
        let firmware = ClientFacts.firmware(forArchitecture: architecture)
        if let profile, profile.boot.value == .grub, profile.kernel != nil,
           let shim = IPXEBoot.shim(for: firmware, server: server) {
            // The signed shim, by TFTP or (UEFI HTTP boot) by HTTP; shim then fetches GRUB beside the root.
            if facts.isHTTPBootClient {
                return IPXEScriptPath.baseURL(address: nextServer, port: server.httpBootPort) + "/" + shim
            }
            return shim
        }
        if let profile, profile.boot.value == .ipxe, profile.kernel != nil {
            let http = IPXEScriptPath.baseURL(address: nextServer, port: server.httpBootPort)
            // iPXE gets its script; plain PXE ROMs chain-load iPXE over TFTP first; UEFI HTTP boot gets iPXE by HTTP.
            if facts.isIPXE { return http + IPXEScriptPath.scriptPath(mac: profile.mac) }
            if facts.isHTTPBootClient { return firmware == .uefi ? http + "/" + IPXEBoot.uefiChainFile : nil }
            switch firmware {
            case .bios: return IPXEBoot.biosChainFile
            case .uefi: return IPXEBoot.uefiChainFile
            case .arm64, nil: break  // no iPXE for ARM64 in Debian: boot: grub is its path
            }
        }
        // UEFI HTTP boot of a pxelinux node: syslinux.efi needs PXE's TFTP, which an HTTP boot does not give.
        if facts.isHTTPBootClient { return nil }
        switch firmware {
        case .bios: return profile?.biosBootfile.value ?? server.biosBootfile.value
        case .uefi: return profile?.uefiBootfile.value ?? server.uefiBootfile.value
        case .arm64, nil: return nil  // no pxelinux for ARM64: `LoaderAdvice` says what to set
        }
    }

    /// Leading options, then the client's requested order, then the rest by code; option 82 is echoed last.
    private func ordered(_ options: [UInt8: [UInt8]], for request: DHCPMessage) -> DHCPOptions {
        var result = DHCPOptions()
        for code in Self.leadingOptions { if let value = options[code] { result[code] = value } }
        for code in request.options.parameterRequestList where result[code] == nil {
            if let value = options[code] { result[code] = value }
        }
        for code in options.keys.sorted() where result[code] == nil { result[code] = options[code] }
        if let relay = request.options.relayAgentInformation { result.relayAgentInformation = relay }
        return result
    }
}
