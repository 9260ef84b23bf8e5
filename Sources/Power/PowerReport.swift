import BootTimeline
import Values

/// What a BMC did and said for one operation.
public struct PowerReport: Sendable, Equatable {
    /// The chassis power state when the operation ended, when the BMC told it.
    public var powerIsOn: Bool?
    /// The changes made, in order, for the node's boot timeline (`boot device pxe (next boot)`, `power on`).
    public var steps: [PowerStep]
    public var sensors: [SensorValue]
    public var inventory: [InventoryItem]

    public init(powerIsOn: Bool? = nil, steps: [PowerStep] = [], sensors: [SensorValue] = [],
                inventory: [InventoryItem] = []) {
        self.powerIsOn = powerIsOn
        self.steps = steps
        self.sensors = sensors
        self.inventory = inventory
    }
}

extension PowerReport {
    /// The longest failure line kept from a driver: room for the driver's words around a BMC's message.
    public static let failureTextLimit = 1_024

    /// The report with every text escaped (`UntrustedText`): names, units, statuses and inventory values come
    /// from the BMC (steps are typed: nothing of the BMC's in them).
    public var escaped: PowerReport {
        func safe(_ text: String) -> String { UntrustedText.escape(text) }
        var report = self
        report.sensors = sensors.map { sensor in
            SensorValue(name: safe(sensor.name), kind: safe(sensor.kind), value: sensor.value, unit: safe(sensor.unit),
                        status: safe(sensor.status),
                        thresholds: Dictionary(sensor.thresholds.map { (safe($0.key), $0.value) },
                                               uniquingKeysWith: { first, _ in first }))
        }
        report.inventory = inventory.map { InventoryItem(safe($0.key), safe($0.value)) }
        return report
    }
}

/// A change asked of a BMC, as the boot timeline records it (drivers name it without importing the timeline).
public typealias PowerAction = BootEvent.PowerAction

/// One change a BMC accepted, with when (wall clock, seconds since 1970). Typed: its words come from
/// `BootEventText`, for result lines, JSON and the boot timeline alike.
public struct PowerStep: Sendable, Equatable, Encodable {
    public var time: Double
    public var action: PowerAction

    public init(time: Double, action: PowerAction) {
        self.time = time
        self.action = action
    }

    /// A step after which the node starts booting (power on, cycle, reset).
    public var startsBoot: Bool { action.startsBoot }

    /// `power on`, `boot device pxe (next boot)`, as `netroot power` prints it.
    public var step: String { BootEventText.powerStep(action) }

    /// The step in the node's boot timeline.
    public var event: BootEvent { BootEvent(time: time, .power(action: action, failure: nil)) }

    private enum Key: String, CodingKey { case time, step, startsBoot }

    /// `{"time":…,"step":"power on","startsBoot":true}` in `netroot power --json`.
    public func encode(to encoder: any Encoder) throws {
        var out = encoder.container(keyedBy: Key.self)
        try out.encode(time, forKey: .time)
        try out.encode(step, forKey: .step)
        try out.encode(startsBoot, forKey: .startsBoot)
    }
}

/// One sensor's reading (rvitals): converted value, unit, and the thresholds the BMC publishes.
public struct SensorValue: Sendable, Equatable, Codable {
    public var name: String
    /// `temperature`, `voltage`, `fan`, `power`, `current`, or `other`.
    public var kind: String
    /// Nil when the BMC has no reading now (sensor absent, scanning disabled).
    public var value: Double?
    public var unit: String
    /// `ok`, or the threshold crossed: `upper critical`, `lower non-critical`, …
    public var status: String
    public var thresholds: [String: Double]

    public init(name: String, kind: String, value: Double?, unit: String, status: String,
                thresholds: [String: Double] = [:]) {
        self.name = name
        self.kind = kind
        self.value = value
        self.unit = unit
        self.status = status
        self.thresholds = thresholds
    }
}

/// One inventory fact (rinv): `GUID`, `board serial`, `product name`, …
public struct InventoryItem: Sendable, Equatable, Codable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}
