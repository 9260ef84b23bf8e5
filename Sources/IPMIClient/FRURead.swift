import IPMI

extension IPMICommandSender {
    /// The board and product areas of FRU device `device` (0 is the BMC's own, the system board); nil when the
    /// BMC has no such device (`FRUDeviceRead`: the common header, each area's length, then the area, in pieces of
    /// at most `pieceSize` bytes). A FRU image that does not decode throws `IPMIDecodingError`; a refused read
    /// throws `.session(.completion)`.
    public func readFRU(device: UInt8 = 0, pieceSize: Int = 32) throws -> FRUInventory? {
        do {
            return try FRUDeviceRead.inventory(from: self, device: device, pieceSize: pieceSize)
        } catch let error as SessionError {
            throw IPMIClientError.session(error)
        }
    }
}
