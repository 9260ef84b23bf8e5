import DHCP
import Inventory

/// One input through everything a hostile packet reaches: decode, re-encode, the responder.
/// Any trap here is a bug: malformed input must be refused with a reason.
func exercise(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let message = try? DHCPMessage(decoding: bytes) else { return }
    let reencoded = message.encoded(maximumSize: 1500)
    guard let again = try? DHCPMessage(decoding: reencoded) else {
        fatalError("re-encoded message does not decode")
    }
    _ = again.encoded()
    var leases = LeaseTable()
    let context = RequestContext(serverAddress: IPv4Address(0xC0A8_01C8), now: 1_800_000_000)
    for _ in 0..<2 { _ = fuzzResponder?.respond(to: message, context: context, leases: &leases) }
}

/// A small inventory with a pool, a known node and a relay network, so every policy path is reachable.
let fuzzResponder: Responder? = {
    let yaml = """
        server: {interface: nr0, address: 192.168.1.200}
        networks:
          lan: {subnet: 192.168.1.0/24, router: 192.168.1.1, dns: [192.168.1.1], pool: 192.168.1.100-192.168.1.103}
          far: {subnet: 10.0.0.0/8}
        images:
          img: {kernel: k, root_path: "nfs:192.168.1.200:/"}
        nodes:
          n1: {mac: "52:54:00:12:34:56", ip: 192.168.1.11, image: img}
          n2: {mac: "52:54:00:12:34:57", ip: 10.0.0.5, image: img}
        """
    let result = InventoryLoader.parse(text: yaml, file: "fuzz.yaml", baseDirectory: "/", fileExists: { _ in true })
    return result.inventory.map { Responder(inventory: $0) }
}()

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
struct DHCPFuzzReplay {
    static func main() { replayCommandLineFiles(exercise) }
}
#endif
