import BootTimeline
import IPMI
import Inventory
import Synchronization
import Testing
@testable import Power

/// An IPMI BMC that answers from a table by (netfn, command): Get Chassis Status says off, Set System Boot Options
/// is accepted, and Chassis Control is refused with `controlCode`. Every request is recorded.
private final class RefusingPowerOnBMC: IPMICommandSender {
    let controlCode: UInt8
    private(set) var sent: [String] = []

    init(controlCode: UInt8) { self.controlCode = controlCode }

    func send(_ request: IPMIRequest) throws -> IPMIResponse {
        sent.append(request.name)
        func answer(_ code: UInt8, _ data: [UInt8] = []) -> IPMIResponse {
            IPMIResponse(netFunction: request.netFunction | 1, command: request.command, sequence: 0,
                         completionCode: code, data: data)
        }
        switch (request.netFunction, request.command) {
        case (0x00, 0x01): return answer(0, [0x00, 0x00, 0x00])  // power is off
        case (0x00, 0x08): return answer(0)
        case (0x00, 0x02): return answer(controlCode)
        default: return answer(0xC1)
        }
    }
}

/// The IPMI driver's operations over the scripted BMC, as `PowerRunner` runs a driver.
private struct ScriptedIPMIDriver: BMCDriver {
    let controlCode: UInt8

    func perform(_ operation: PowerOperation, on endpoint: BMCEndpoint,
                 deadline: ContinuousClock.Instant) async throws -> PowerReport {
        try IPMIOperations(runner: RefusingPowerOnBMC(controlCode: controlCode)).perform(operation)
    }
}

/// A failed `netroot boot` keeps the steps that succeeded before the failure: the result, its lines and JSON
/// steps, and the node's boot timeline show the boot device set, then the refused power on.
@Suite struct FailedBootTests {
    static let node = PowerTarget(node: "n1", mac: "52:54:00:00:00:01", endpoint: .success(BMCEndpoint(
        node: "n1", mac: "52:54:00:00:00:01", address: "10.0.0.1", port: 623, protocol: .ipmi,
        username: "admin", password: Secret("x"))))

    @Test func theIPMIOperationsThrowTheStepsDoneWithTheFailure() throws {
        let bmc = RefusingPowerOnBMC(controlCode: 0xD5)
        do {
            _ = try IPMIOperations(runner: bmc).perform(.networkBoot(uefi: false))
            Issue.record("a refused Chassis Control must fail the boot")
        } catch let failure as PowerFailureAfterSteps {
            #expect(failure.steps.map(\.action) == [.bootDevice(target: "pxe", persistent: false, uefi: false)])
            #expect("\(failure)".hasPrefix("Chassis Control failed"))
        }
        #expect(bmc.sent == ["Get Chassis Status", "Set System Boot Options", "Set System Boot Options",
                             "Chassis Control"])
    }

    @Test func aFailedBootKeepsTheBootDeviceStepInItsResultAndTimeline() async throws {
        let runner = PowerRunner(drivers: [.ipmi: ScriptedIPMIDriver(controlCode: 0xD5)])
        let result = try #require(await runner.run(.networkBoot(uefi: false), on: [Self.node]).first)
        #expect(!result.ok)
        #expect(result.report?.steps.map(\.step) == ["boot device pxe (next boot)"])
        let error = try #require(result.error)
        #expect(error.hasPrefix("Chassis Control failed"))

        let events = result.timelineEvents(failedAt: 2_000)
        #expect(events.count == 2)
        #expect(events.first?.step == .power(action: .bootDevice(target: "pxe", persistent: false, uefi: false),
                                             failure: nil))
        #expect(events.last == BootEvent(time: 2_000, .power(action: .networkBoot(uefi: false), failure: error)))

        // What the server's timeline shows of it: both, in order.
        let timeline = BootTimeline()
        timeline.recordPower(events, client: "n1", mac: "52:54:00:00:00:01")
        #expect(timeline.timeline(of: "n1")?.events == events)

        // The result line says the failure and what was done before it.
        #expect(ResultText.lines(result) == ["n1: ERROR: \(error) (done before: boot device pxe (next boot))"])
    }

    @Test func aFailureBeforeAnyChangeHasNoSteps() async throws {
        // A refused Set System Boot Options: nothing was changed, nothing but the failure is recorded.
        struct RefusingBootOptions: BMCDriver {
            func perform(_ operation: PowerOperation, on endpoint: BMCEndpoint,
                         deadline: ContinuousClock.Instant) async throws -> PowerReport {
                throw PowerFailure("Set System Boot Options failed")
            }
        }
        let runner = PowerRunner(drivers: [.ipmi: RefusingBootOptions()])
        let result = try #require(await runner.run(.networkBoot(uefi: false), on: [Self.node]).first)
        #expect(result.report == nil)
        #expect(result.timelineEvents(failedAt: 5).map(\.time) == [5])
        #expect(ResultText.lines(result) == ["n1: ERROR: Set System Boot Options failed"])
    }
}
