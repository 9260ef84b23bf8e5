import TFTP

/// One input through what a hostile request reaches: packet parsing, option negotiation, path normalisation,
/// and a transfer fed the same bytes as a reply. Any trap is a bug.
func exercise(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let packet = try? TFTPPacket(parsing: ArraySlice(bytes)) else { return }
    guard let again = try? TFTPPacket(parsing: ArraySlice(packet.encoded)), again == packet else {
        fatalError("a parsed packet does not survive encoding")
    }
    if case let .readRequest(filename, _, options) = packet {
        _ = RootDirectory.normalize(filename)
        if case .success(let negotiated) = TransferOptions.negotiate(options, size: bytes.count * 1000,
                                                                     limits: .init(mtu: 1500)) {
            let now = ContinuousClock.now
            var transfer = Transfer(size: bytes.count * 1000, options: negotiated, now: now)
            _ = transfer.start(now: now)
            _ = transfer.receive(packet, now: now)
            _ = transfer.tick(now: now + .seconds(2))
        }
    }
    var transfer = Transfer(size: 4096, options: TransferOptions(), now: .now)
    _ = transfer.start(now: .now)
    _ = transfer.receive(packet, now: .now)
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    exercise(UnsafeBufferPointer(start: data, count: size))
    return 0
}
#else
import FuzzSupport

/// Without libFuzzer: replays the files named on the command line (a crasher, a corpus entry).
@main
struct TFTPFuzzReplay {
    static func main() { replayCommandLineFiles(exercise) }
}
#endif
