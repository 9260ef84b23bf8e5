import Foundation
import IPMI
import IPMIClient
import Support

// ipmi-probe: one RMCP+ session to one BMC, running the commands named on the command line in order.
// The password comes from a file or the IPMI_PASSWORD environment variable, never from the command line.
let usage = """
    usage: ipmi-probe --host ADDRESS [--port 623] --user NAME (--password-file FILE | env IPMI_PASSWORD)
                      [--suite 3|17] [--timeout SECONDS] [--attempts N] [--fru-piece BYTES] COMMAND...
    commands: status | on | off | cycle | reset | soft | device-id | guid | sensors | fru
              | bootdev pxe|disk|bios [persistent] [uefi] | pause SECONDS (idle inside the session)
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ipmi-probe: \(message)\n".utf8))
    exit(1)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var options: [String: String] = [:]
var commands: [String] = []
while !arguments.isEmpty {
    let word = arguments.removeFirst()
    if word.hasPrefix("--") {
        guard !arguments.isEmpty else { fail("\(word) needs a value\n\(usage)") }
        options[String(word.dropFirst(2))] = arguments.removeFirst()
    } else {
        commands.append(word)
    }
}
guard let host = options["host"], let user = options["user"], !commands.isEmpty else { fail(usage) }
let password: [UInt8]
if let file = options["password-file"] {
    // The one rule for secret files (netroot's bmc.password_file too): see SecretFile.
    do { password = try SecretFile.read(file).bytes } catch { fail("password file \(error)") }
} else if let value = ProcessInfo.processInfo.environment["IPMI_PASSWORD"] {
    password = Array(value.utf8)
} else {
    fail("no password: --password-file FILE or IPMI_PASSWORD")
}
guard let suite = CipherSuite(rawValue: UInt8(options["suite"] ?? "3") ?? 0) else { fail("--suite is 3 or 17") }
let configuration = SessionConfiguration(
    username: user, password: password, suite: suite,
    retransmitAfter: .milliseconds(Int((Double(options["timeout"] ?? "1") ?? 1) * 1000)),
    attempts: Int(options["attempts"] ?? "3") ?? 3)

/// The response's data, or exit with the completion code's name.
func checked(_ response: IPMIResponse, _ what: String) -> [UInt8] {
    guard response.completionCode == 0 else {
        fail("\(host): \(SessionError.completion(stage: what, code: response.completionCode))")
    }
    return response.data
}

do {
    let runner = try UDPSessionRunner(host: host, port: UInt16(options["port"] ?? "623") ?? 623,
                                      configuration: configuration)
    try runner.open()
    var index = 0
    while index < commands.count {
        let command = commands[index]
        index += 1
        switch command {
        case "status":
            let status = try ChassisStatus(decoding: checked(try runner.send(ChassisStatus.request), "Get Chassis Status"))
            print("power: \(status.isPowerOn ? "on" : "off")")
        case "on", "off", "cycle", "reset", "soft":
            let action: ChassisControl = switch command {
            case "on": .powerOn
            case "off": .powerOff
            case "cycle": .powerCycle
            case "reset": .hardReset
            default: .softShutdown
            }
            _ = checked(try runner.send(action.request), "Chassis Control")
            print("power \(command): ok")
        case "bootdev":
            guard index < commands.count else { fail(usage) }
            let device: BootDevice = switch commands[index] {
            case "pxe": .pxe
            case "disk": .disk
            case "bios": .biosSetup
            default: fail("bootdev pxe|disk|bios")
            }
            index += 1
            var override = BootOverride(device: device)
            while index < commands.count, ["persistent", "uefi"].contains(commands[index]) {
                if commands[index] == "persistent" { override.persistent = true } else { override.uefi = true }
                index += 1
            }
            for request in override.requests { _ = checked(try runner.send(request), "Set System Boot Options") }
            print("bootdev: \(device)\(override.persistent ? " persistent" : "")\(override.uefi ? " uefi" : "")")
        case "device-id":
            let id = try DeviceID(decoding: checked(try runner.send(DeviceID.request), "Get Device ID"))
            print("device-id: \(id.deviceID) revision \(id.deviceRevision) firmware \(id.firmwareRevision) "
                  + "ipmi \(id.ipmiVersion) manufacturer \(id.manufacturerID) product \(id.productID)")
        case "guid":
            let guid = try SystemGUID(decoding: checked(try runner.send(SystemGUID.request), "Get System GUID"))
            print("guid: \(guid.text)")
        case "sensors":
            for found in try runner.readSensors() {
                let sensor = found.record
                let value = found.reading.flatMap { $0.isAvailable ? sensor.value(of: $0.raw) : nil }
                let thresholds = sensor.thresholds.sorted { $0.key < $1.key }
                    .compactMap { name, raw in sensor.value(of: raw).map { "\(name) \($0)" } }
                print("sensor \(sensor.name): \(value.map { "\($0) \(sensor.unit)" } ?? "no reading")"
                      + (thresholds.isEmpty ? "" : " (\(thresholds.joined(separator: ", ")))"))
            }
        case "fru":
            // Board and product areas of FRU device 0; --fru-piece sets the first Read FRU Data size (32).
            guard let fru = try runner.readFRU(pieceSize: Int(options["fru-piece"] ?? "32") ?? 32) else {
                print("fru: none")
                break
            }
            for item in fru.items { print("fru \(item.key): \(item.value)") }
        case "pause":
            guard index < commands.count, let seconds = Double(commands[index]) else { fail(usage) }
            index += 1
            usleep(UInt32(seconds * 1_000_000))
        default:
            fail("unknown command \(command)\n\(usage)")
        }
    }
    runner.close()
} catch {
    fail("\(host): \(error)")
}
