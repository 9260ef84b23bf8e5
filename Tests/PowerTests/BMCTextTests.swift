import Inventory
import Testing
@testable import Power

/// A BMC that answers with terminal control sequences in its sensor and FRU names, or fails with them.
private struct HostileBMC: BMCDriver {
    let fails: Bool

    func perform(_ operation: PowerOperation, on endpoint: BMCEndpoint,
                 deadline: ContinuousClock.Instant) async throws -> PowerReport {
        if fails {
            throw PowerFailure("the BMC refused GET /redfish/v1/Systems/1: HTTP 500: oops\u{1b}[2J\n"
                               + "compute2: on")
        }
        return PowerReport(powerIsOn: true, sensors: [
            SensorValue(name: "CPU\u{1b}[1A\u{1b}[2K Temp", kind: "temperature", value: 45, unit: "degrees C\u{9b}",
                        status: "ok\u{7f}", thresholds: ["upper critical\u{0}": 90]),
        ], inventory: [InventoryItem("board serial\u{202e}", "ABC\\123\n")])
    }
}

private func target(_ name: String) -> PowerTarget {
    PowerTarget(node: name, mac: "52:54:00:00:00:01", endpoint: .success(BMCEndpoint(
        node: name, mac: "52:54:00:00:00:01", address: "10.0.0.1", port: 623, protocol: .ipmi,
        username: "admin", password: Secret("x"))))
}

@Suite struct BMCTextTests {
    static func hasControls(_ lines: [String]) -> Bool {
        lines.joined().unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) || $0 == "\u{202e}" }
    }

    @Test func aBMCsFailureTextIsEscapedWhereItEnters() async {
        let results = await PowerRunner(drivers: [.ipmi: HostileBMC(fails: true)]).run(.status, on: [target("n1")])
        #expect(results[0].error == "the BMC refused GET /redfish/v1/Systems/1: HTTP 500: oops\\x1b[2J\\x0acompute2: on")
        // One line, whatever the BMC said: no forged result line for another node.
        let lines = ResultText.lines(results[0])
        #expect(lines == ["n1: ERROR: the BMC refused GET /redfish/v1/Systems/1: HTTP 500: oops\\x1b[2J\\x0acompute2: on"])
    }

    @Test func aBMCsNamesAndValuesAreEscapedWhereTheyEnter() async throws {
        let sensors = await PowerRunner(drivers: [.ipmi: HostileBMC(fails: false)]).run(.sensors, on: [target("n1")])
        let sensor = try #require(sensors[0].report?.sensors.first)
        #expect(sensor.name == "CPU\\x1b[1A\\x1b[2K Temp")
        #expect(sensor.unit == "degrees C\\x9b")
        #expect(sensor.status == "ok\\x7f")
        #expect(sensor.thresholds == ["upper critical\\x00": 90])
        #expect(!Self.hasControls(ResultText.lines(sensors[0])))
        let inventory = await PowerRunner(drivers: [.ipmi: HostileBMC(fails: false)]).run(.inventory, on: [target("n1")])
        #expect(inventory[0].report?.inventory == [InventoryItem("board serial\\u{202e}", "ABC\\x5c123\\x0a")])
        #expect(ResultText.lines(inventory[0]) == ["n1: board serial\\u{202e}: ABC\\x5c123\\x0a"])
    }

    @Test func resultLinesEscapeWhatWasNotEscapedBefore() {
        // A result built elsewhere (a test, a future driver path) is still printed without a control character.
        let result = NodeResult(node: "n1", mac: "m", operation: .status, report: nil,
                                error: "no answer\u{1b}[2J\u{9b}", seconds: 0)
        #expect(ResultText.lines(result) == ["n1: ERROR: no answer\\x1b[2J\\x9b"])
    }

    @Test func aLongFailureIsCapped() async {
        struct Verbose: BMCDriver {
            func perform(_ operation: PowerOperation, on endpoint: BMCEndpoint,
                         deadline: ContinuousClock.Instant) async throws -> PowerReport {
                throw PowerFailure("the BMC refused it: " + String(repeating: "x", count: 100_000))
            }
        }
        let results = await PowerRunner(drivers: [.ipmi: Verbose()]).run(.status, on: [target("n1")])
        #expect(results[0].error?.unicodeScalars.count == PowerReport.failureTextLimit)
        #expect(results[0].error?.hasSuffix("…") == true)
    }
}
