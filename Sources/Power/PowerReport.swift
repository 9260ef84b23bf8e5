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
    /// from the BMC.
    public var escaped: PowerReport {
        func safe(_ text: String) -> String { UntrustedText.escape(text) }
        var report = self
        report.steps = steps.map { PowerStep(time: $0.time, step: safe($0.step), startsBoot: $0.startsBoot) }
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

/// One change a BMC accepted, with when (wall clock, seconds since 1970).
public struct PowerStep: Sendable, Equatable, Codable {
    public var time: Double
    public var step: String
    /// A step after which the node starts booting (power on, cycle, reset).
    public var startsBoot: Bool

    public init(time: Double, step: String, startsBoot: Bool = false) {
        self.time = time
        self.step = step
        self.startsBoot = startsBoot
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
