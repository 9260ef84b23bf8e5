import IPMI

/// One input through every decoder a BMC's (or an impostor's) datagram reaches, and through a session
/// waiting at each handshake step. Any trap here is a bug: malformed input must be refused with a reason.
func exercise(_ buffer: UnsafeBufferPointer<UInt8>) {
    let bytes = Array(buffer)
    if let packet = try? Packet(decoding: bytes), case .rmcpPlus(let plus) = packet {
        _ = try? fuzzChannel.open(plus)
    }
    _ = try? LANMessage.decodeResponse(bytes)
    _ = try? OpenSessionResponse(decoding: bytes)
    _ = try? RAKPMessage2(decoding: bytes)
    _ = try? RAKPMessage4(decoding: bytes)
    _ = try? ChannelAuthenticationCapabilities(decoding: bytes)
    _ = try? ChassisStatus(decoding: bytes)
    _ = try? DeviceID(decoding: bytes)
    _ = try? SystemGUID(decoding: bytes)
    _ = try? FullSensorRecord(decoding: bytes).value(of: bytes.first ?? 0)
    _ = try? SensorReading(decoding: bytes)
    _ = try? SDRRepository.record(decoding: bytes)
    // FRU: the image decoder (items render every field), the areas on their own, the Read FRU Data framing and
    // the piecewise reader taking the input as an answer.
    _ = (try? FRUInventory(decoding: bytes))?.items
    _ = try? FRUBoardInfo(decoding: bytes[...])
    _ = try? FRUProductInfo(decoding: bytes[...])
    _ = try? FRUInventoryAreaInfo(decoding: bytes)
    _ = try? FRUData.bytes(decoding: bytes, accessByWords: bytes.count % 2 == 0)
    for words in [false, true] {
        var reader = FRUSpanReader(info: FRUInventoryAreaInfo(size: 256, accessByWords: words), offset: 3, count: 40)
        _ = try? reader.receive(IPMIResponse(netFunction: 0x0B, command: 0x11, sequence: 1,
                                             completionCode: bytes.first ?? 0, data: Array(bytes.dropFirst())))
        _ = reader.nextRequest
    }
    // The SDR walk and the FRU read against a BMC that answers each request with the next piece of the input.
    _ = try? SDRWalk.readSensors(from: ScriptedBMC(bytes))
    _ = (try? FRUDeviceRead.inventory(from: ScriptedBMC(bytes)))?.items
    let clock = ContinuousClock()
    var session = Session(configuration: SessionConfiguration(username: "admin", password: Array("secret".utf8)),
                          random: { Array(repeating: 0x5A, count: $0) })
    _ = session.start(now: clock.now)
    _ = session.receive(bytes, now: clock.now)
    _ = session.receive(bytes, now: clock.now)
    _ = session.tick(now: clock.now + .seconds(5))
}

/// A BMC whose answers are the fuzz input cut in pieces: each request gets the next one, a length byte N, a
/// completion code, then N data bytes (fewer where the input ends). Past the input's end every request throws,
/// as a BMC gone silent would.
final class ScriptedBMC: IPMICommandSender {
    private let bytes: [UInt8]
    private var position = 0

    struct Silent: Error {}

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func send(_ request: IPMIRequest) throws -> IPMIResponse {
        guard position + 2 <= bytes.count else { throw Silent() }
        let count = Int(bytes[position])
        let code = bytes[position + 1]
        let end = min(bytes.count, position + 2 + count)
        let data = Array(bytes[(position + 2)..<end])
        position = end
        return IPMIResponse(netFunction: request.netFunction | 1, command: request.command, sequence: 0,
                            completionCode: code, data: data)
    }
}

/// A channel with fixed keys, so the integrity and decryption paths see every input.
let fuzzChannel = SecureChannel(
    keys: SessionKeys(suite: .three, keyGenerationKey: Array("secret".utf8), consoleRandom: Array(repeating: 1, count: 16),
                      bmcRandom: Array(repeating: 2, count: 16), role: 0x14, username: Array("admin".utf8)),
    bmcSessionID: 0x0484, consoleSessionID: 0xA0A2_A3A4)

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
struct IPMIFuzzReplay {
    static func main() { replayCommandLineFiles(exercise) }
}
#endif
