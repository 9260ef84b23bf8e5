import DHCP
import Inventory
import Testing

/// Decoding what real clients sent, and refusing what no client should send.
@Suite struct CodecTests {
    static let fixtures = ["dhclient-discover", "dhclient-request", "udhcpc-discover", "udhcpc-request",
                           "dhcpcd-discover", "dhcpcd-request", "ipxe-bios-discover", "ipxe-bios-request"]

    @Test(arguments: fixtures)
    func realClientMessagesDecode(name: String) throws {
        let message = try DHCPMessage(decoding: captured(name))
        #expect(message.op == .request)
        #expect(message.htype == 1 && message.hlen == 6)
        let expectedMAC = name.hasPrefix("ipxe") ? "52:54:00:12:34:57" : "52:54:00:12:34:56"
        #expect(message.clientMAC == MACAddress(expectedMAC))
        #expect(message.options.messageType == (name.hasSuffix("discover") ? .discover : .request))
    }

    @Test(arguments: fixtures)
    func reencodingKeepsEveryOption(name: String) throws {
        let message = try DHCPMessage(decoding: captured(name))
        let again = try DHCPMessage(decoding: message.encoded(maximumSize: 1500))
        #expect(again == message)
    }

    @Test func udhcpcAsksForRootPath() throws {
        let request = try DHCPMessage(decoding: captured("udhcpc-request"))
        #expect(request.options.maximumMessageSize == 576)
        #expect(request.options.vendorClassIdentifier == "udhcp 1.35.0")
        #expect(request.options.parameterRequestList.contains(OptionCode.rootPath))
        #expect(!request.broadcastFlag)
        #expect(request.options.serverIdentifier == IPv4Address("10.199.0.1"))
        #expect(request.options.requestedIPAddress != nil)
    }

    @Test func iPXEIdentifiesItsFirmware() throws {
        let discover = try DHCPMessage(decoding: captured("ipxe-bios-discover"))
        let options = discover.options
        #expect(options.vendorClassIdentifier == "PXEClient:Arch:00000:UNDI:002001")
        #expect(options.clientArchitectures == [0])
        #expect(options.userClass == Array("iPXE".utf8))
        #expect(options.clientMachineIdentifier?.count == 17)
        #expect(options.maximumMessageSize == 1472)
        #expect(options[175] != nil) // iPXE's own encapsulated options survive as raw bytes
        #expect(!discover.broadcastFlag)
    }

    @Test func dhclientSendsTheBroadcastFlagOff() throws {
        let discover = try DHCPMessage(decoding: captured("dhclient-discover"))
        #expect(!discover.broadcastFlag)
        #expect(discover.options.parameterRequestList.contains(OptionCode.subnetMask))
    }

    // MARK: malformed input

    @Test func everyTruncationOfARealMessageIsRefusedOrParsedNeverTrapped() throws {
        let bytes = try captured("ipxe-bios-discover")
        for length in 0..<bytes.count {
            do {
                _ = try DHCPMessage(decoding: bytes.prefix(length))
            } catch {
                if length < 240 { #expect(error == .tooShort) }
            }
        }
    }

    @Test func shortHeader() {
        #expect(throws: DHCPDecodeError.tooShort) { try DHCPMessage(decoding: [UInt8](repeating: 1, count: 239)) }
    }

    @Test func badMagicCookie() throws {
        var bytes = try captured("udhcpc-discover")
        bytes[239] = 0
        #expect(throws: DHCPDecodeError.badMagicCookie) { try DHCPMessage(decoding: bytes) }
    }

    @Test func optionWithoutLengthAndOverrun() {
        #expect(throws: DHCPDecodeError.optionWithoutLength) { try DHCPMessage(decoding: Self.header + [53]) }
        #expect(throws: DHCPDecodeError.optionOverrun) { try DHCPMessage(decoding: Self.header + [12, 5, 65, 66]) }
    }

    @Test func zeroLengthWhereALengthIsRequired() {
        #expect(throws: DHCPDecodeError.badOptionLength) { try DHCPMessage(decoding: Self.header + [53, 0, 255]) }
        #expect(throws: DHCPDecodeError.badOptionLength) { try DHCPMessage(decoding: Self.header + [55, 0, 255]) }
        #expect(throws: DHCPDecodeError.badOptionLength) { try DHCPMessage(decoding: Self.header + [50, 3, 1, 2, 3, 255]) }
    }

    @Test func badOverloadValue() {
        #expect(throws: DHCPDecodeError.badOverload) { try DHCPMessage(decoding: Self.header + [52, 1, 4, 255]) }
    }

    @Test func missingEndOptionIsTolerated() throws {
        let message = try DHCPMessage(decoding: Self.header + [53, 1, 1])
        #expect(message.options.messageType == .discover)
    }

    // MARK: RFC 3396 and option overload

    @Test func splitOptionsAreConcatenated() throws {
        let message = try DHCPMessage(decoding: Self.header + [53, 1, 1, 17, 3] + Array("nfs".utf8) + [12, 1, 65]
                                          + [17, 4] + Array(":a:/".utf8) + [255])
        #expect(message.options.rootPath == "nfs:a:/")
        #expect(message.options.codes == [53, 17, 12])
    }

    @Test func longOptionsAreSplitOnEncode() throws {
        var message = DHCPMessage(op: .reply, xid: 1, chaddr: [1, 2, 3, 4, 5, 6])
        message.options.messageType = .ack
        let long = String(repeating: "x", count: 300)
        message.options.rootPath = long
        let bytes = message.encoded(maximumSize: 1500)
        #expect(bytes[243] == 17 && bytes[244] == 255) // first piece after 53 (3 bytes) at offset 243
        #expect(try DHCPMessage(decoding: bytes).options.rootPath == long)
    }

    @Test func overloadedFileAndSnameFieldsAreRead() throws {
        var bytes = Self.header + [52, 1, 3, 53, 1, 3, 255]
        let fileOptions: [UInt8] = [12, 4] + Array("node".utf8) + [255]
        let snameOptions: [UInt8] = [60, 3] + Array("abc".utf8) + [255]
        bytes.replaceSubrange(108..<108 + fileOptions.count, with: fileOptions)
        bytes.replaceSubrange(44..<44 + snameOptions.count, with: snameOptions)
        let message = try DHCPMessage(decoding: bytes)
        #expect(message.options.hostName == "node")
        #expect(message.options.vendorClassIdentifier == "abc")
        #expect(message.file.isEmpty && message.sname.isEmpty)
    }

    @Test func optionsOverflowIntoSnameAndFileWhenTheyAreFree() throws {
        var message = DHCPMessage(op: .reply, xid: 1, chaddr: [1, 2, 3, 4, 5, 6])
        message.options.messageType = .ack
        message.options[OptionCode.domainName] = Array(repeating: 0x61, count: 200)
        message.options.rootPath = String(repeating: "r", count: 100)
        message.options.relayAgentInformation = [1, 2, 0x61, 0x62]
        let bytes = message.encoded(maximumSize: 548)
        #expect(bytes.count <= 548)
        let decoded = try DHCPMessage(decoding: bytes)
        #expect(decoded.options[OptionCode.domainName]?.count == 200)
        #expect(decoded.options.rootPath?.count == 100)
        #expect(decoded.options.relayAgentInformation == [1, 2, 0x61, 0x62])
    }

    @Test func relayInformationIsWrittenLastAndMessagesArePaddedTo300() throws {
        var message = DHCPMessage(op: .reply, xid: 1, chaddr: [1, 2, 3, 4, 5, 6])
        message.options.relayAgentInformation = [1, 1, 9]
        message.options.messageType = .offer
        message.options.hostName = "n1"
        let bytes = message.encoded()
        #expect(bytes.count == 300)
        let end = try #require(bytes.lastIndex(of: 255))
        #expect(Array(bytes[(end - 5)..<end]) == [82, 3, 1, 1, 9])
    }

    /// A minimal valid header with the magic cookie; tests append options.
    static let header: [UInt8] = {
        var bytes = [UInt8](repeating: 0, count: 240)
        bytes[0] = 1
        bytes[1] = 1
        bytes[2] = 6
        bytes[236...239] = [99, 130, 83, 99]
        return bytes
    }()
}
