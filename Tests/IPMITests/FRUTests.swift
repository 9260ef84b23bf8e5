import Testing
@testable import IPMI

/// The FRU decoder against the image integration/ipmi-sim gives ipmi_sim (read back with
/// `ipmitool fru read 0 file`), what `ipmitool fru print 0` shows for it, and crafted malformed images.
@Suite struct FRUDecodingTests {
    /// ipmi_sim's FRU device 0: 256 bytes, a board area at 8 and a product area at 72, then zeros.
    static let image = bytesFromHex(
        "01000001090000f5" + "01081910c3e0cc6e6574726f6f742d74657374d14e522d31303030204d61696e626f617264c753"
        + "4e2d3030303187ae1c4110d4b422020102c1000000000000f3" + "010819cc6e6574726f6f742d74657374c74e522d3130"
        + "303087aedc4410043521421c20c850534e2d30303031c841535345542d34320103c10000000000000041")
        + [UInt8](repeating: 0, count: 256 - 136)

    @Test func ipmiSimsImageReadsAsIpmitoolPrintsIt() throws {
        let fru = try FRUInventory(decoding: Self.image)
        let board = try #require(fru.board)
        #expect(board.manufacturer == .text("netroot-test") && board.productName == .text("NR-1000 Mainboard"))
        #expect(board.serialNumber == .text("SN-0001") && board.partNumber == .text("NR1000-MB"))
        #expect(board.fruFileID == .binary([0x01, 0x02]) && board.fruFileID?.display == "0102")
        // ipmitool: "Board Mfg Date : Wed Jan  3 04:00:00 2024 UTC".
        #expect(board.manufacturedMinutes == 14_730_000 && board.manufactured == "2024-01-03 04:00 UTC")
        let product = try #require(fru.product)
        #expect(product.manufacturer == .text("netroot-test") && product.name == .text("NR-1000"))
        #expect(product.partNumber == .text("NR-1000-A") && product.version == .text("1.20"))
        #expect(product.serialNumber == .text("PSN-0001") && product.assetTag == .text("ASSET-42"))
        #expect(product.fruFileID?.display == "03" && product.custom.isEmpty && board.custom.isEmpty)
        #expect(fru.items.map(\.key) == [
            "board manufacturer", "board product", "board serial", "board part number", "board manufactured",
            "product manufacturer", "product name", "product part number", "product version", "product serial",
            "product asset tag",
        ])
        #expect(fru.items.first { $0.key == "product serial" }?.value == "PSN-0001")
    }

    /// Known strings: "IPMI" packs to 29 dc a6 (I=0x29, P=0x30, M=0x2d, I=0x29, six bits each, low bits first);
    /// ipmi_sim's "NR1000-MB" (seven bytes, the last two bits padding) is what ipmitool prints, less its pad.
    @Test func sixBitPackedASCII() {
        #expect(FRUField.sixBitASCII([0x29, 0xDC, 0xA6]) == "IPMI")
        #expect(FRUField.sixBitASCII([0xAE, 0x1C, 0x41, 0x10, 0xD4, 0xB4, 0x22]) == "NR1000-MB")
        #expect(FRUField.sixBitASCII([0xAE, 0xDC, 0x44, 0x10, 0x04, 0x35, 0x21]) == "NR-1000-A")
        #expect(FRUField.sixBitASCII([]) == "" && FRUField.sixBitASCII([0x21]) == "A")
    }

    /// BCD plus, high nibble first: ipmitool 1.8.19 prints ipmi_sim's 1c 20 as "1.20".
    @Test func bcdPlus() {
        #expect(FRUField.bcdPlus([0x1C, 0x20]) == "1.20")
        #expect(FRUField.bcdPlus([0x12, 0xB3, 0x4A, 0x5C]) == "12-34 5.")
        #expect(FRUField.bcdPlus([0xDE, 0xF0]) == ":,_0")
    }

    @Test func latin1AndBinaryFields() {
        #expect(FRUField.decode(type: 3, [0x53, 0xE9, 0x72]) == .text("Sér"))
        #expect(FRUField.decode(type: 0, [0xDE, 0xAD]).display == "dead")
    }

    @Test func dates() {
        #expect(FRUDate.text(minutes: 0) == "1996-01-01 00:00 UTC")
        #expect(FRUDate.text(minutes: 1440 * 59) == "1996-02-29 00:00 UTC")
        // The largest date a FRU can hold; `date -u -d @$((820454400 + 0xFFFFFF * 60))` agrees.
        #expect(FRUDate.text(minutes: 0xFF_FFFF) == "2027-11-24 20:15 UTC")
    }

    @Test func imageWithoutAreasHasNoItems() throws {
        let empty = try FRUInventory(decoding: [0x01, 0, 0, 0, 0, 0, 0, 0xFF])
        #expect(empty.board == nil && empty.product == nil && empty.items.isEmpty)
    }
}

@Suite struct FRUMalformedTests {
    static let image = FRUDecodingTests.image

    func refused(_ bytes: [UInt8], saying words: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try FRUInventory(decoding: bytes)
            Issue.record("accepted", sourceLocation: sourceLocation)
        } catch let error as IPMIDecodingError {
            #expect(error.reason.contains(words), "\(error.reason)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func headerChecks() {
        var bytes = Self.image
        bytes[7] &+= 1
        refused(bytes, saying: "common header: bad checksum")
        bytes = Self.image
        bytes[0] = 0x02; bytes[7] &-= 1
        refused(bytes, saying: "format version 2")
        refused(Array(Self.image.prefix(5)), saying: "5 bytes, needs 8")
    }

    /// The board area spans bytes 8..<72 (its checksum at 71), the product area 72..<136 (checksum at 135).
    static let boardArea = 8..<72
    static let productArea = 72..<136

    /// `bytes` with the area's checksum byte set so that the area sums to zero again.
    func resummed(_ bytes: [UInt8], _ area: Range<Int>) -> [UInt8] {
        var bytes = bytes
        bytes[area.upperBound - 1] = 0 &- bytes[area.dropLast()].reduce(0, &+)
        return bytes
    }

    @Test func areaChecksums() {
        #expect(resummed(Self.image, Self.boardArea) == Self.image && resummed(Self.image, Self.productArea) == Self.image)
        var board = Self.image
        board[20] ^= 0x01  // a byte of "netroot-test"
        refused(board, saying: "board area: bad checksum")
        var product = Self.image
        product[135] &+= 1  // the product area's checksum byte itself
        refused(product, saying: "product area: bad checksum")
    }

    @Test func lengthsPastTheEnd() {
        // The image cut inside the board area: its length byte (8 × 8) claims more than is there.
        refused(Array(Self.image.prefix(40)), saying: "board area: 64 bytes long, only 32 there")
        // The product area's offset past the image (header checksum kept right).
        var header = Self.image
        header[4] = 0x40
        header[7] = 0 &- header[0..<7].reduce(0, &+)
        refused(header, saying: "offset 512 is past the image")
        // The manufacturer's type/length says 60 bytes of 8-bit text: past the area's end.
        var field = Self.image
        field[14] = 0xFC
        refused(resummed(field, Self.boardArea), saying: "a field of 60 bytes runs past the area's end")
    }

    @Test func missingEndMarker() {
        // The board area's end marker 0xC1 (at 64) turned into a pad byte: fields run into the checksum.
        var bytes = Self.image
        #expect(bytes[64] == 0xC1)
        bytes[64] = 0x00
        refused(resummed(bytes, Self.boardArea), saying: "board area: no end marker (0xC1)")
    }

    @Test func zeroLengthArea() {
        var bytes = Self.image
        bytes[73] = 0
        refused(bytes, saying: "product area: length 0")
    }

    /// Every truncation and every single-byte change is refused or decoded: never a trap.
    @Test func everyCutAndFlipIsHandled() {
        for length in 0...Self.image.count { _ = try? FRUInventory(decoding: Array(Self.image.prefix(length))) }
        for index in 0..<144 {
            for flip: UInt8 in [0x01, 0x3F, 0x80, 0xFF] {
                var bytes = Self.image
                bytes[index] ^= flip
                _ = try? FRUInventory(decoding: bytes)
            }
        }
    }
}

/// Get FRU Inventory Area Info and Read FRU Data, and the piecewise reader, on ipmi_sim's real answers.
@Suite struct FRUCommandTests {
    @Test func requestsAndNames() throws {
        let info = FRUInventoryAreaInfo.request(device: 0)
        #expect(info.netFunction == 0x0A && info.command == 0x10 && info.data == [0])
        #expect(info.name == "Get FRU Inventory Area Info")
        let read = FRUData.request(device: 0, offset: 0x0148, count: 32)
        #expect(read.command == 0x11 && read.data == [0, 0x48, 0x01, 32] && read.name == "Read FRU Data")
        // ipmi_sim: `raw 0x0a 0x10 0` answers 00 01 00 (256 bytes, byte access).
        #expect(try FRUInventoryAreaInfo(decoding: [0x00, 0x01, 0x00]) == FRUInventoryAreaInfo(size: 256))
        #expect(try FRUInventoryAreaInfo(decoding: [0x00, 0x08, 0x01]).accessByWords)
        #expect(throws: IPMIDecodingError.self) { try FRUInventoryAreaInfo(decoding: [0, 1]) }
        #expect(throws: IPMIDecodingError.self) { try FRUData.bytes(decoding: [8, 1, 2]) }
        #expect(throws: IPMIDecodingError.self) { try FRUData.bytes(decoding: []) }
    }

    static func response(_ code: UInt8, _ hex: String = "") -> IPMIResponse {
        IPMIResponse(netFunction: 0x0B, command: 0x11, sequence: 1, completionCode: code, data: bytesFromHex(hex))
    }

    /// ipmi_sim refuses 40 bytes at once with 0xC8 ("request data field length limit exceeded") and answers 32.
    @Test func aRefusedPieceIsAskedForAgainSmaller() throws {
        var reader = FRUSpanReader(info: FRUInventoryAreaInfo(size: 256), offset: 0, count: 32, pieceSize: 64)
        #expect(reader.nextRequest?.data == [0, 0, 0, 32])  // never more than the span
        reader = FRUSpanReader(info: FRUInventoryAreaInfo(size: 256), offset: 0, count: 64, pieceSize: 40)
        #expect(reader.nextRequest?.data == [0, 0, 0, 40])
        try reader.receive(Self.response(0xC8))
        #expect(reader.pieceSize == 20 && reader.bytes.isEmpty && reader.nextRequest?.data == [0, 0, 0, 20])
        try reader.receive(Self.response(0, "14" + "01000001090000f501081910c3e0cc6e6574726f"))
        #expect(reader.bytes.count == 20 && reader.nextRequest?.data == [0, 20, 0, 20])
        try reader.receive(Self.response(0, "14" + String(repeating: "00", count: 20)))
        try reader.receive(Self.response(0, "14" + String(repeating: "00", count: 20)))
        #expect(reader.nextRequest?.data == [0, 60, 0, 4])
        try reader.receive(Self.response(0, "04" + "00000000"))
        #expect(reader.isComplete && reader.nextRequest == nil && reader.bytes.count == 64)
        #expect(try FRUCommonHeader(decoding: reader.bytes).boardOffset == 8)
    }

    /// At ipmi_sim's end (offset 0xf8 of 256) it answers fewer bytes than asked: the span ends at the device's end.
    @Test func aSpanStopsAtTheDevicesEnd() throws {
        var reader = FRUSpanReader(info: FRUInventoryAreaInfo(size: 256), offset: 0xF8, count: 16)
        #expect(reader.nextRequest?.data == [0, 0xF8, 0, 8])
        try reader.receive(Self.response(0, "080000000000000000"))
        #expect(reader.isComplete && reader.bytes.count == 8)
    }

    @Test func refusalsThatAreNotAboutSizeAndEmptyAnswersThrow() {
        var reader = FRUSpanReader(info: FRUInventoryAreaInfo(size: 256), offset: 0, count: 8)
        #expect(throws: SessionError.completion(stage: "Read FRU Data", code: 0xC9)) {
            try reader.receive(Self.response(0xC9))
        }
        #expect(throws: IPMIDecodingError.self) { try reader.receive(Self.response(0, "00")) }
        var tiny = FRUSpanReader(info: FRUInventoryAreaInfo(size: 256), offset: 0, count: 8, pieceSize: 1)
        #expect(throws: SessionError.self) { try tiny.receive(Self.response(0xCA)) }
    }

    /// A device read in words: offsets and counts in words; an odd start drops the byte before it.
    @Test func wordAccess() throws {
        let words = FRUInventoryAreaInfo(size: 64, accessByWords: true)
        var reader = FRUSpanReader(info: words, offset: 9, count: 3)
        #expect(reader.nextRequest?.data == [0, 4, 0, 2])
        try reader.receive(Self.response(0, "02" + "aabbccdd"))
        #expect(reader.bytes == [0xBB, 0xCC, 0xDD] && reader.isComplete)
        var even = FRUSpanReader(info: words, offset: 8, count: 8, pieceSize: 4)
        #expect(even.nextRequest?.data == [0, 4, 0, 2])
        #expect(throws: IPMIDecodingError.self) { try even.receive(Self.response(0, "02aabb")) }
    }
}
