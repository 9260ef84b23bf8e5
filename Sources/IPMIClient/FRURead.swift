import IPMI

extension UDPSessionRunner {
    /// The board and product areas of FRU device `device` (0 is the BMC's own, the system board); nil when the
    /// BMC has no such device. Reads only what it needs, as ipmitool does: the common header, each area's
    /// two-byte header for its length, then the rest of the area, in pieces of at most `pieceSize` bytes.
    /// A FRU image that does not decode throws `IPMIDecodingError`; a refused read throws `.session(.completion)`.
    public func readFRU(device: UInt8 = 0, pieceSize: Int = 32) throws -> FRUInventory? {
        let answer = try send(FRUInventoryAreaInfo.request(device: device))
        if FRUInventoryAreaInfo.absentCodes.contains(answer.completionCode) { return nil }
        guard answer.completionCode == 0 else {
            throw IPMIClientError.session(.completion(stage: "Get FRU Inventory Area Info", code: answer.completionCode))
        }
        let info = try FRUInventoryAreaInfo(decoding: answer.data)
        guard info.size >= FRUCommonHeader.length else { return nil }
        var piece = pieceSize
        // One span; a refusal of a large piece shrinks it for every later span too.
        func read(_ offset: Int, _ count: Int) throws -> [UInt8] {
            var reader = FRUSpanReader(device: device, info: info, offset: offset, count: count, pieceSize: piece)
            do {
                while let request = reader.nextRequest { try reader.receive(send(request)) }
            } catch let error as SessionError {
                throw IPMIClientError.session(error)
            }
            piece = reader.pieceSize
            return reader.bytes
        }
        func area(at offset: Int?) throws -> ArraySlice<UInt8>? {
            guard let offset else { return nil }
            let head = try read(offset, 2)
            guard head.count == 2 else {
                throw IPMIDecodingError("FRU area at offset \(offset) is past the device's \(info.size) bytes")
            }
            return (head + (try read(offset + 2, Int(head[1]) * 8 - 2)))[...]
        }
        let header = try FRUCommonHeader(decoding: read(0, FRUCommonHeader.length))
        return FRUInventory(board: try area(at: header.boardOffset).map { try FRUBoardInfo(decoding: $0) },
                            product: try area(at: header.productOffset).map { try FRUProductInfo(decoding: $0) })
    }
}
