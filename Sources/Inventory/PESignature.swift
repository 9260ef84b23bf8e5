/// Whether an EFI binary (a kernel with an EFI stub, shim, GRUB) carries an Authenticode signature, read from the
/// start of the file (pure): the PE header's security directory (data directory 4) names the certificate table.
/// Secure Boot firmware and shim start only signed binaries; the signature itself is checked by them, not here.
public enum PESignature {
    /// Bytes enough for the DOS header, the PE header and the data directories of any real kernel or loader.
    public static let headLength = 4096

    public enum Verdict: Equatable, Sendable {
        case signed
        case unsigned
        /// Not a PE image at all (no `MZ`/`PE` headers): an ARM zImage without EFI stub, a text file.
        case notPE
    }

    public static func verdict(head: [UInt8]) -> Verdict {
        func u16(_ at: Int) -> Int? { at + 2 <= head.count ? Int(head[at]) | Int(head[at + 1]) << 8 : nil }
        func u32(_ at: Int) -> Int? {
            guard at + 4 <= head.count else { return nil }
            return (0..<4).reduce(0) { $0 | Int(head[at + $1]) << (8 * $1) }
        }
        guard head.count >= 64, head[0] == 0x4D, head[1] == 0x5A, let pe = u32(0x3C), pe + 24 <= head.count,
              Array(head[pe..<pe + 4]) == [0x50, 0x45, 0, 0] else { return .notPE }
        let optional = pe + 24
        let (countAt, directories): (Int, Int)
        switch u16(optional) {
        case 0x10B: (countAt, directories) = (optional + 92, optional + 96)    // PE32
        case 0x20B: (countAt, directories) = (optional + 108, optional + 112)  // PE32+
        default: return .notPE
        }
        guard let count = u32(countAt), count > 4, let size = u32(directories + 4 * 8 + 4) else { return .unsigned }
        // A WIN_CERTIFICATE is an 8-byte header and the signature: anything shorter signs nothing.
        return size > 8 ? .signed : .unsigned
    }
}
