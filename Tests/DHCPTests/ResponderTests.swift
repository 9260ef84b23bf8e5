import DHCP
import Inventory
import Testing

/// Who gets what, as a table of real requests against one inventory.
@Suite struct ResponderTests {
    let responder: Responder
    var leases = LeaseTable()
    let context = RequestContext(serverAddress: serverAddress, now: startTime)

    init() throws {
        responder = Responder(inventory: try testInventory())
    }

    /// Decides, then commits the durable update as the handler does once the journal write succeeded.
    mutating func respond(_ request: DHCPMessage, at now: Int64 = startTime) -> Decision {
        let decision = responder.respond(to: request, context: RequestContext(serverAddress: serverAddress, now: now),
                                         leases: &leases)
        if let update = decision.leaseChange { leases.apply(update) }
        return decision
    }

    // MARK: PXE firmware

    @Test mutating func iPXEOnBIOSGetsReservationBootfileAndNoRootPath() throws {
        let discover = try DHCPMessage(decoding: captured("ipxe-bios-discover"))
        let decision = respond(discover)
        let (offer, delivery) = try #require(decision.reply)
        #expect(decision.node == "compute1")
        #expect(offer.options.messageType == .offer)
        #expect(offer.yiaddr == IPv4Address("192.168.1.11"))
        #expect(offer.siaddr == serverAddress)
        #expect(offer.fileName == "pxelinux.0")
        #expect(offer.options.vendorClassIdentifier == "PXEClient")
        #expect(offer.options[OptionCode.vendorSpecific] == [6, 1, 8, 255])
        #expect(offer.options.clientMachineIdentifier == discover.options.clientMachineIdentifier)
        #expect(offer.options.rootPath == nil, "iPXE SAN-boots a root-path")
        #expect(offer.options.hostName == "compute1")
        // No broadcast flag, no address yet: a raw frame to the MAC.
        #expect(delivery == .link(mac: MACAddress("52:54:00:12:34:57")!, address: IPv4Address("192.168.1.11")!))
        #expect(decision.leaseChange == nil)
    }

    @Test mutating func iPXERequestIsAcknowledgedDurably() throws {
        let request = try DHCPMessage(decoding: captured("ipxe-bios-request"))
        // The capture selected dnsmasq's offer; point it at us.
        var ours = request
        ours.options.serverIdentifier = serverAddress
        ours.options.requestedIPAddress = IPv4Address("192.168.1.11")
        let decision = respond(ours)
        let (ack, _) = try #require(decision.reply)
        #expect(ack.options.messageType == .ack)
        #expect(ack.options.leaseTime == 3600)
        #expect(ack.options.renewalTime == 1800)
        #expect(ack.options.rebindingTime == 3150)
        #expect(ack.options.rootPath == nil)
        guard case .bind(let lease) = decision.leaseChange else {
            Issue.record("no durable lease")
            return
        }
        #expect(lease.address == IPv4Address("192.168.1.11"))
        #expect(lease.expires == startTime + 3600)
    }

    @Test(arguments: [(UInt16(0), "pxelinux.0"), (7, "efi64/syslinux.efi"), (9, "efi64/syslinux.efi")])
    mutating func bootfileFollowsArchitecture(architecture: UInt16, bootfile: String) throws {
        let discover = pxeDiscover(mac: "52:54:00:12:34:57", architecture: architecture)
        let (offer, _) = try #require(respond(discover).reply)
        #expect(offer.fileName == bootfile)
    }

    @Test mutating func unknownArchitectureGetsNoBootfile() throws {
        let (offer, _) = try #require(respond(pxeDiscover(mac: "52:54:00:12:34:57", architecture: 11)).reply)
        #expect(offer.fileName.isEmpty)
        #expect(offer.yiaddr == IPv4Address("192.168.1.11"))
    }

    @Test mutating func syslinuxEFIBareDHCPGetsTheReservationAndTheUEFIBootfile() throws {
        // UEFI iPXE binds first (arch 7) ...
        var request = pxeDiscover(mac: "52:54:00:12:34:57", architecture: 7)
        request.options.messageType = .request
        request.options.serverIdentifier = serverAddress
        request.options.requestedIPAddress = IPv4Address("192.168.1.11")
        _ = try #require(respond(request).reply)
        // ... then syslinux.efi asks bare: 53, 57, 55=1,3,6, broadcast flag, no 60/61/93/97.
        let bare = clientMessage(.discover, mac: "52:54:00:12:34:57") { message in
            message.broadcastFlag = true
            message.options.maximumMessageSize = 65280
            message.options.parameterRequestList = [1, 3, 6]
        }
        let (offer, delivery) = try #require(respond(bare, at: startTime + 5).reply)
        #expect(offer.yiaddr == IPv4Address("192.168.1.11"))
        #expect(offer.fileName == "efi64/syslinux.efi")
        #expect(delivery == .broadcast)
    }

    // MARK: initramfs clients

    @Test mutating func udhcpcInitramfsGetsRootPathWithTheServerInside() throws {
        var request = try DHCPMessage(decoding: captured("udhcpc-request"))
        request.options.serverIdentifier = serverAddress
        request.options.requestedIPAddress = IPv4Address("192.168.1.12")
        let decision = respond(request)
        let (ack, delivery) = try #require(decision.reply)
        #expect(decision.node == "compute2")
        #expect(ack.yiaddr == IPv4Address("192.168.1.12"))
        #expect(ack.options.rootPath == "nfs:192.168.1.200:/srv/rhel6")
        #expect(ack.options.vendorClassIdentifier == nil)
        #expect(ack.options.hostName == "compute2")
        #expect(ack.options.addresses(OptionCode.router) == [IPv4Address("192.168.1.1")!])
        #expect(ack.options.addresses(OptionCode.domainNameServer) == [IPv4Address("192.168.1.1")!])
        #expect(ack.options[OptionCode.domainName] == Array("cluster.local".utf8))
        #expect(ack.options.address(OptionCode.subnetMask) == IPv4Address("255.255.255.0"))
        #expect(ack.options.address(OptionCode.broadcastAddress) == IPv4Address("192.168.1.255"))
        #expect(delivery == .link(mac: MACAddress("52:54:00:12:34:56")!, address: IPv4Address("192.168.1.12")!))
        // The client's parameter request list orders what follows the leading options.
        let requested = request.options.parameterRequestList.filter { ack.options[$0] != nil }
        let sent = ack.options.codes.dropFirst(5).filter { requested.contains($0) }
        #expect(Array(sent) == requested)
    }

    @Test(arguments: ["dhclient-discover", "udhcpc-discover", "dhcpcd-discover"])
    mutating func everyRealClientIsOfferedTheReservation(name: String) throws {
        let (offer, _) = try #require(respond(try DHCPMessage(decoding: captured(name))).reply)
        #expect(offer.yiaddr == IPv4Address("192.168.1.12"))
        #expect(offer.options.rootPath == "nfs:192.168.1.200:/srv/rhel6")
        #expect(offer.fileName == "pxelinux.0")
    }

    @Test mutating func sameAddressEveryTimeFirmwareThenInitramfs() throws {
        let firmware = pxeDiscover(mac: "52:54:00:12:34:56", architecture: 0)
        let initramfs = clientMessage(.discover, mac: "52:54:00:12:34:56") { $0.options.vendorClassIdentifier = "udhcp 1.35.0" }
        let first = try #require(respond(firmware).reply).message.yiaddr
        let second = try #require(respond(initramfs, at: startTime + 30).reply).message.yiaddr
        #expect(first == second)
    }

    // MARK: pools and unknown clients

    @Test mutating func unknownClientsShareThePoolWithoutCollisions() throws {
        var given: Set<IPv4Address> = []
        for index in 1...3 {
            let mac = "02:00:00:00:00:0\(index)"
            let (offer, _) = try #require(respond(clientMessage(.discover, mac: mac)).reply)
            let ack = respond(clientMessage(.request, mac: mac) {
                $0.options.serverIdentifier = serverAddress
                $0.options.requestedIPAddress = offer.yiaddr
            })
            #expect(ack.reply?.message.options.messageType == .ack)
            #expect(ack.reply?.message.options.rootPath == nil)
            given.insert(offer.yiaddr)
        }
        #expect(given.count == 3)
        #expect(given.allSatisfy { IPv4Range("192.168.1.100-192.168.1.102")!.contains($0) })
        // The pool holds three addresses: a fourth client gets nothing.
        #expect(respond(clientMessage(.discover, mac: "02:00:00:00:00:04")).ignored == .poolExhausted(network: "provision"))
    }

    @Test mutating func unknownClientWithoutPoolGetsNothing() throws {
        let yaml = testInventoryYAML.replacingOccurrences(of: "    pool: 192.168.1.100-192.168.1.102\n", with: "")
        let responder = Responder(inventory: try testInventory(yaml))
        let decision = responder.respond(to: clientMessage(.discover, mac: "02:00:00:00:00:01"), context: context,
                                         leases: &leases)
        #expect(decision.reply == nil)
        #expect(decision.ignored == .unknownClientWithoutPool)
    }

    @Test mutating func offerForAnotherServerIsReleased() throws {
        let (offer, _) = try #require(respond(clientMessage(.discover, mac: "02:00:00:00:00:01")).reply)
        #expect(leases.holder(of: offer.yiaddr, at: startTime) != nil)
        let elsewhere = respond(clientMessage(.request, mac: "02:00:00:00:00:01") {
            $0.options.serverIdentifier = IPv4Address("192.168.1.250")
            $0.options.requestedIPAddress = IPv4Address("192.168.1.251")
        })
        #expect(elsewhere.ignored == .selectedAnotherServer)
        #expect(leases.holder(of: offer.yiaddr, at: startTime) == nil)
    }

    // MARK: REQUEST states

    @Test mutating func initRebootWithTheWrongAddressIsNAKedByBroadcast() throws {
        let decision = respond(clientMessage(.request, mac: "52:54:00:12:34:56") {
            $0.options.requestedIPAddress = IPv4Address("192.168.1.77")
        })
        let (nak, delivery) = try #require(decision.reply)
        #expect(nak.options.messageType == .nak)
        #expect(nak.yiaddr.value == 0)
        #expect(delivery == .broadcast)
        #expect(decision.leaseChange == nil)
    }

    @Test mutating func initRebootOfAnUnknownClientIsSilent() {
        let decision = respond(clientMessage(.request, mac: "02:00:00:00:00:09") {
            $0.options.requestedIPAddress = IPv4Address("192.168.1.101")
        })
        #expect(decision.reply == nil)
        #expect(decision.ignored == .noRecordOfClient)
    }

    @Test mutating func renewingIsAcknowledgedByUnicast() throws {
        let decision = respond(clientMessage(.request, mac: "52:54:00:12:34:56") {
            $0.ciaddr = IPv4Address("192.168.1.12")!
        }, at: startTime + 1800)
        let (ack, delivery) = try #require(decision.reply)
        #expect(ack.options.messageType == .ack)
        #expect(delivery == .unicast(IPv4Address("192.168.1.12")!))
        guard case .bind(let lease) = decision.leaseChange else {
            Issue.record("renewal not durable")
            return
        }
        #expect(lease.expires == startTime + 1800 + 3600)
    }

    @Test mutating func renewingTheWrongAddressIsNAKed() throws {
        let decision = respond(clientMessage(.request, mac: "52:54:00:12:34:56") { $0.ciaddr = IPv4Address("192.168.1.40")! })
        #expect(decision.reply?.message.options.messageType == .nak)
    }

    // MARK: DECLINE, RELEASE, INFORM

    @Test mutating func declinedAddressIsQuarantined() throws {
        let mac = "02:00:00:00:00:01"
        let first = try #require(respond(clientMessage(.discover, mac: mac)).reply).message.yiaddr
        let decline = respond(clientMessage(.decline, mac: mac) {
            $0.options.serverIdentifier = serverAddress
            $0.options.requestedIPAddress = first
        })
        #expect(decline.reply == nil)
        #expect(leases.isQuarantined(first, at: startTime + 1))
        let second = try #require(respond(clientMessage(.discover, mac: mac), at: startTime + 2).reply).message.yiaddr
        #expect(second != first)
    }

    @Test mutating func releaseForgetsTheLeaseDurably() throws {
        let mac = "02:00:00:00:00:01"
        let offer = try #require(respond(clientMessage(.discover, mac: mac)).reply).message
        _ = respond(clientMessage(.request, mac: mac) {
            $0.options.serverIdentifier = serverAddress
            $0.options.requestedIPAddress = offer.yiaddr
        })
        let release = respond(clientMessage(.release, mac: mac) {
            $0.ciaddr = offer.yiaddr
            $0.options.serverIdentifier = serverAddress
        })
        #expect(release.reply == nil)
        #expect(release.leaseChange == .release(mac: MACAddress(mac)!, address: offer.yiaddr))
        #expect(leases.lease(for: MACAddress(mac)!) == nil)
    }

    @Test mutating func informGetsConfigurationButNoLease() throws {
        let decision = respond(clientMessage(.inform, mac: "02:00:00:00:00:01") { $0.ciaddr = IPv4Address("192.168.1.50")! })
        let (ack, delivery) = try #require(decision.reply)
        #expect(ack.options.messageType == .ack)
        #expect(ack.yiaddr.value == 0)
        #expect(ack.options.leaseTime == nil)
        #expect(ack.options.addresses(OptionCode.router) == [IPv4Address("192.168.1.1")!])
        #expect(delivery == .unicast(IPv4Address("192.168.1.50")!))
    }

    // MARK: relays

    @Test mutating func relayedRequestsAreAnsweredToTheRelayWithOption82Last() throws {
        let decision = respond(clientMessage(.discover, mac: "52:54:00:00:20:01") {
            $0.giaddr = IPv4Address("10.20.0.1")!
            $0.hops = 1
            $0.options.relayAgentInformation = [1, 4, 0x65, 0x74, 0x68, 0x30]
        })
        let (offer, delivery) = try #require(decision.reply)
        #expect(offer.yiaddr == IPv4Address("10.20.0.5"))
        #expect(offer.giaddr == IPv4Address("10.20.0.1"))
        #expect(offer.options.leaseTime == 7200)
        #expect(offer.options.codes.last == OptionCode.relayAgentInformation)
        #expect(delivery == .relay(IPv4Address("10.20.0.1")!))
    }

    @Test mutating func nodeAskingOnTheWrongSegmentIsIgnored() {
        let decision = respond(clientMessage(.discover, mac: "52:54:00:00:20:01"))
        #expect(decision.ignored == .wrongSegment(node: "far1", network: "remote"))
    }

    @Test mutating func serverMessagesAndNonEthernetAreIgnored() {
        #expect(respond(clientMessage(.offer, mac: "02:00:00:00:00:01")).ignored == .serverMessage(.offer))
        var tokenRing = clientMessage(.discover, mac: "02:00:00:00:00:01")
        tokenRing.htype = 6
        #expect(respond(tokenRing).ignored == .notEthernet)
    }

    func pxeDiscover(mac: String, architecture: UInt16) -> DHCPMessage {
        clientMessage(.discover, mac: mac) { message in
            message.options.vendorClassIdentifier = String(format: "PXEClient:Arch:%05d:UNDI:003010", architecture)
            message.options[OptionCode.clientSystemArchitecture] = [UInt8(architecture >> 8), UInt8(architecture & 0xff)]
            message.options.parameterRequestList = [1, 3, 6, 12, 15, 17, 43, 60, 66, 67]
        }
    }
}
