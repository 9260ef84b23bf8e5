import BootTimeline
import Foundation
import IPMI
import IPMIClient

/// IPMI 2.0 over LAN (RMCP+) through the blocking session runner, each node's session on a thread of its own so
/// that fifty BMCs waiting on the network do not hold the two threads of Swift's cooperative pool.
public struct IPMIDriver: BMCDriver {
    public var suite: CipherSuite
    /// How long to wait for an answer before sending again (ipmitool: 1 s).
    public var retransmitAfter: Duration
    /// Sends of each message before giving up (xCAT: three).
    public var attempts: Int

    public init(suite: CipherSuite = .three, retransmitAfter: Duration = .seconds(1), attempts: Int = 3) {
        self.suite = suite
        self.retransmitAfter = retransmitAfter
        self.attempts = attempts
    }

    public func perform(_ operation: PowerOperation, on endpoint: BMCEndpoint,
                        deadline: ContinuousClock.Instant) async throws -> PowerReport {
        try await onOwnThread { try performBlocking(operation, on: endpoint, deadline: deadline) }
    }

    func performBlocking(_ operation: PowerOperation, on endpoint: BMCEndpoint,
                         deadline: ContinuousClock.Instant) throws -> PowerReport {
        // IPMI 2.0 §13.17/22.30: user names up to 16 bytes, passwords up to 20 (ipmitool truncates silently).
        guard endpoint.username.utf8.count <= 16 else {
            throw PowerFailure("the IPMI user name is \(endpoint.username.utf8.count) bytes; IPMI allows 16")
        }
        guard endpoint.password.revealed.utf8.count <= 20 else {
            throw PowerFailure("the IPMI password is \(endpoint.password.revealed.utf8.count) bytes; IPMI allows 20")
        }
        if case .bootDevice(.http, _, _) = operation {
            throw PowerFailure("IPMI has no HTTP boot device; use `bootdev pxe --uefi`, or a Redfish BMC for UefiHttp")
        }
        let host = try IPv4Resolver.address(of: endpoint.address)
        let configuration = SessionConfiguration(username: endpoint.username,
                                                 password: Array(endpoint.password.revealed.utf8), suite: suite,
                                                 retransmitAfter: retransmitAfter, attempts: attempts)
        let runner = try UDPSessionRunner(host: host, port: UInt16(clamping: endpoint.port),
                                          configuration: configuration, giveUpAt: deadline)
        try runner.open()
        defer { runner.close() }
        return try IPMIOperations(runner: runner).perform(operation)
    }
}

/// The commands of each operation, in the order xCAT and ipmitool send them, over a session (the UDP runner, or a
/// test's scripted BMC).
struct IPMIOperations<BMC: IPMICommandSender> {
    let runner: BMC

    /// A failure after a change the BMC accepted keeps that change (`PowerFailureAfterSteps`).
    func perform(_ operation: PowerOperation) throws -> PowerReport {
        var report = PowerReport()
        do {
            try perform(operation, into: &report)
        } catch {
            throw PowerFailureAfterSteps.wrapping(error, after: report.steps)
        }
        return report
    }

    private func perform(_ operation: PowerOperation, into report: inout PowerReport) throws {
        switch operation {
        case .status:
            report.powerIsOn = try powerIsOn()
        case .on, .off, .cycle, .reset, .soft:
            let (action, step, state): (ChassisControl, PowerAction, Bool?) = switch operation {
            case .on: (.powerOn, .on, true)
            case .off: (.powerOff, .off, false)
            case .cycle: (.powerCycle, .cycle, true)
            case .reset: (.hardReset, .reset, true)
            default: (.softShutdown, .softOff, nil)
            }
            try control(action, step: step, into: &report)
            report.powerIsOn = state
        case .bootDevice(let target, let persistent, let uefi):
            try setBootDevice(target, persistent: persistent, uefi: uefi, into: &report)
        case .networkBoot(let uefi):
            // MAAS: the next boot from the network, then power on, or cycle a node that is already on.
            let wasOn = try powerIsOn()
            try setBootDevice(.pxe, persistent: false, uefi: uefi, into: &report)
            try control(wasOn ? .powerCycle : .powerOn, step: wasOn ? .cycle : .on, into: &report)
            report.powerIsOn = true
        case .sensors:
            report.sensors = try runner.readSensors().map(SensorValue.init)
        case .inventory:
            report.inventory = try inventory()
        }
    }

    private func powerIsOn() throws -> Bool {
        try ChassisStatus(decoding: runner.checkedSend(ChassisStatus.request)).isPowerOn
    }

    private func control(_ action: ChassisControl, step: PowerAction, into report: inout PowerReport) throws {
        _ = try runner.checkedSend(action.request)
        report.steps.append(PowerStep(time: Date().timeIntervalSince1970, action: step))
    }

    private func setBootDevice(_ target: BootTarget, persistent: Bool, uefi: Bool,
                               into report: inout PowerReport) throws {
        let device: BootDevice = switch target {
        case .pxe: .pxe
        case .disk: .disk
        case .bios: .biosSetup
        case .http: throw PowerFailure("IPMI has no HTTP boot device")
        }
        for request in BootOverride(device: device, persistent: persistent, uefi: uefi).requests {
            _ = try runner.checkedSend(request)
        }
        report.steps.append(PowerStep(time: Date().timeIntervalSince1970,
                                      action: target.action(persistent: persistent, uefi: uefi)))
    }

    private func inventory() throws -> [InventoryItem] {
        let id = try DeviceID(decoding: runner.checkedSend(DeviceID.request))
        var items = [
            InventoryItem("BMC firmware", id.firmwareRevision),
            InventoryItem("IPMI version", id.ipmiVersion),
            InventoryItem("manufacturer ID", "\(id.manufacturerID)"),
            InventoryItem("product ID", "\(id.productID)"),
        ]
        // Some BMCs have no system GUID; that is not a failure of the inventory as a whole.
        let guid = try runner.send(SystemGUID.request)
        if guid.completionCode == 0, let value = try? SystemGUID(decoding: guid.data) {
            items.append(InventoryItem("GUID", value.text))
        }
        // FRU board and product data. A BMC without a FRU device (pyghmi's fakebmc) still gives its device ID
        // and GUID, and a FRU image that does not decode, or a refused read, is said on one line, not a failure.
        do {
            if let fru = try runner.readFRU() { items += fru.items.map { InventoryItem($0.key, $0.value) } }
        } catch let error as IPMIDecodingError {
            items.append(InventoryItem("FRU", "unreadable: \(error)"))
        } catch IPMIClientError.session(let error) {
            guard case .completion = error else { throw IPMIClientError.session(error) }
            items.append(InventoryItem("FRU", "unreadable: \(error)"))
        }
        return items
    }
}

extension BootTarget {
    /// Setting this boot device, as a step (`BootEventText` words it: `boot device pxe (next boot, UEFI)`).
    public func action(persistent: Bool, uefi: Bool) -> PowerAction {
        .bootDevice(target: rawValue, persistent: persistent, uefi: uefi)
    }
}

extension SensorValue {
    /// A full sensor record and its reading, converted with the record's formula.
    init(_ found: SensorRecordReading) {
        let record = found.record
        let available = found.reading?.isAvailable ?? false
        let kind = switch record.sensorType {
        case 0x01: "temperature"
        case 0x02: "voltage"
        case 0x03: "current"
        case 0x04: "fan"
        default: record.baseUnit == 6 ? "power" : "other"
        }
        self.init(name: record.name, kind: kind,
                  value: available ? found.reading.flatMap { record.value(of: $0.raw) } : nil,
                  unit: record.unit,
                  status: available ? Self.status(found.reading?.thresholdStatus ?? 0) : "no reading",
                  thresholds: record.thresholds.compactMapValues { record.value(of: $0) })
    }

    /// The most severe threshold the reading is past (Get Sensor Reading byte 3, bits 0–5).
    static func status(_ bits: UInt8) -> String {
        let names = ["lower non-critical", "lower critical", "lower non-recoverable",
                     "upper non-critical", "upper critical", "upper non-recoverable"]
        for bit in [5, 2, 4, 1, 3, 0] where bits & (1 << bit) != 0 { return names[bit] }
        return "ok"
    }
}

/// Runs blocking work on a new thread and waits for it without occupying a cooperative-pool thread.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}
