import Foundation
import Values

/// The lines `netroot power` prints for a result, prefixed with the node's name as xCAT's commands do (pure).
/// Control characters are escaped in every line (`Terminal.safe`): the lines quote the BMC.
public enum ResultText {
    public static func lines(_ result: NodeResult) -> [String] {
        unescapedLines(result).map(Terminal.safe)
    }

    private static func unescapedLines(_ result: NodeResult) -> [String] {
        let prefix = result.node + ": "
        if let error = result.error {
            // Changes made before the failure are said too: the node is not as it was.
            let done = result.report?.steps.map(\.step) ?? []
            return [prefix + "ERROR: " + error + (done.isEmpty ? "" : " (done before: \(done.joined(separator: ", ")))")]
        }
        guard let report = result.report else { return [prefix + "ERROR: failed"] }
        switch result.operation {
        case .status:
            return [prefix + state(report.powerIsOn)]
        case .on, .off, .cycle, .reset:
            let how = result.operation == .cycle ? " (power cycled)" : result.operation == .reset ? " (reset)" : ""
            return [prefix + state(report.powerIsOn) + how]
        case .soft:
            return [prefix + "soft power off requested (the operating system shuts down)"]
        case .bootDevice, .networkBoot:
            return [prefix + report.steps.map(\.step).joined(separator: ", ")]
        case .sensors:
            guard !report.sensors.isEmpty else { return [prefix + "no sensors"] }
            return report.sensors.map { prefix + sensorLine($0) }
        case .inventory:
            guard !report.inventory.isEmpty else { return [prefix + "no inventory data"] }
            return report.inventory.map { prefix + "\($0.key): \($0.value)" }
        }
    }

    /// `CPU Temp: 45 degrees C (ok; upper critical 90, upper non-recoverable 100)`.
    public static func sensorLine(_ sensor: SensorValue) -> String {
        let value = sensor.value.map { "\(number($0)) \(sensor.unit)" } ?? "no reading"
        let order = ["lower non-recoverable", "lower critical", "lower non-critical",
                     "upper non-critical", "upper critical", "upper non-recoverable"]
        let thresholds = order.compactMap { name in sensor.thresholds[name].map { "\(name) \(number($0))" } }
        let status = sensor.value == nil ? "" : ([sensor.status] + thresholds).joined(separator: ", ")
        return "\(sensor.name): \(value)" + (status.isEmpty ? "" : " (\(status))")
    }

    private static func state(_ isOn: Bool?) -> String {
        isOn.map { $0 ? "on" : "off" } ?? "unknown"
    }

    /// 45 rather than 45.0; two decimals at most.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.2f", value)
    }
}
