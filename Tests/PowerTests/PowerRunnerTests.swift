import Inventory
import Synchronization
import Testing
@testable import Power

/// A BMC driver that answers after a delay per node, fails named nodes, and counts how many run at once.
private final class ScriptedDriver: BMCDriver, Sendable {
    let delays: [String: Duration]
    let failing: Set<String>
    let running = Mutex((now: 0, peak: 0))
    let started = Mutex([String: ContinuousClock.Instant]())

    init(delays: [String: Duration] = [:], failing: Set<String> = []) {
        self.delays = delays
        self.failing = failing
    }

    func perform(_ operation: PowerOperation, on endpoint: BMCEndpoint,
                 deadline: ContinuousClock.Instant) async throws -> PowerReport {
        started.withLock { $0[endpoint.node] = ContinuousClock.now }
        running.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
        defer { running.withLock { $0.now -= 1 } }
        let delay = delays[endpoint.node] ?? .milliseconds(20)
        // Like a real driver: never past the deadline.
        if ContinuousClock.now + delay > deadline {
            try await ContinuousClock().sleep(until: deadline)
            throw PowerFailure("no answer from the BMC within the time limit")
        }
        try await Task.sleep(for: delay)
        if failing.contains(endpoint.node) { throw PowerFailure("wrong username or password (user \"admin\")") }
        return PowerReport(powerIsOn: true)
    }
}

/// Holds one node's answer until the named others have finished (or its deadline passes).
private final class GatedDriver: BMCDriver, Sendable {
    let silent: String
    let waitsFor: Set<String>
    let failing: Set<String>
    let finished = Mutex(Set<String>())

    init(silent: String, waitsFor: Set<String>, failing: Set<String>) {
        self.silent = silent
        self.waitsFor = waitsFor
        self.failing = failing
    }

    func perform(_ operation: PowerOperation, on endpoint: BMCEndpoint,
                 deadline: ContinuousClock.Instant) async throws -> PowerReport {
        if endpoint.node == silent {
            while ContinuousClock.now < deadline {
                if finished.withLock({ $0.isSuperset(of: waitsFor) }) {
                    throw PowerFailure("released after the others finished")
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            throw PowerFailure("no answer from the BMC within the time limit")
        }
        defer { finished.withLock { _ = $0.insert(endpoint.node) } }
        try await Task.sleep(for: .milliseconds(10))
        if failing.contains(endpoint.node) { throw PowerFailure("wrong username or password (user \"admin\")") }
        return PowerReport(powerIsOn: true)
    }
}

private func targets(_ names: [String]) -> [PowerTarget] {
    names.map { name in
        PowerTarget(node: name, mac: "52:54:00:00:00:01", endpoint: .success(BMCEndpoint(
            node: name, mac: "52:54:00:00:00:01", address: "10.0.0.1", port: 623, protocol: .ipmi,
            username: "admin", password: Secret("x"))))
    }
}

@Suite struct PowerRunnerTests {
    @Test func resultsComeBackInTheOrderAskedWhateverOrderTheyFinish() async {
        let driver = ScriptedDriver(delays: ["a": .milliseconds(200), "b": .milliseconds(10), "c": .milliseconds(80)])
        let runner = PowerRunner(drivers: [.ipmi: driver])
        let results = await runner.run(.status, on: targets(["a", "b", "c"]))
        #expect(results.map(\.node) == ["a", "b", "c"])
        #expect(results.allSatisfy { $0.ok })
    }

    @Test func noMoreThanTheParallelLimitRunAtOnce() async {
        let driver = ScriptedDriver()
        let runner = PowerRunner(drivers: [.ipmi: driver], parallel: 4)
        let results = await runner.run(.status, on: targets((1...20).map { "n\($0)" }))
        #expect(results.count == 20)
        #expect(driver.running.withLock { $0.peak } == 4)
    }

    @Test func aSilentBMCDoesNotHoldUpTheOthers() async {
        // "silent" answers nothing until every other node has finished, or its time limit passes: if the runner
        // waited for it before starting the rest, it would hit its limit instead. Told by order, not wall time
        // (the test suite shares two cores with CPU-heavy suites).
        let others = ["wrong", "ok1", "ok2", "ok3"]
        let driver = GatedDriver(silent: "silent", waitsFor: Set(others), failing: ["wrong"])
        let runner = PowerRunner(drivers: [.ipmi: driver], parallel: 2, timeout: .seconds(60))
        let results = await runner.run(.on, on: targets(["silent"] + others))
        #expect(results.map(\.ok) == [false, false, true, true, true])
        #expect(results[0].error == "released after the others finished")
        #expect(results[1].error == "wrong username or password (user \"admin\")")
    }

    @Test func aBMCPastItsTimeLimitFailsAlone() async {
        let driver = ScriptedDriver(delays: ["silent": .seconds(30)])
        let runner = PowerRunner(drivers: [.ipmi: driver], timeout: .milliseconds(300))
        let results = await runner.run(.status, on: targets(["silent", "ok"]))
        #expect(results[0].error?.contains("time limit") == true)
        #expect(results[1].ok)
    }

    @Test func batchesStartAnIntervalApart() async {
        let driver = ScriptedDriver()
        let runner = PowerRunner(drivers: [.ipmi: driver], batchSize: 2, interval: .milliseconds(300))
        let begin = ContinuousClock.now
        _ = await runner.run(.networkBoot(uefi: false), on: targets(["a", "b", "c", "d", "e"]))
        let started = driver.started.withLock { $0 }
        // Lower bounds from before the run: a busy machine can only start a batch late, never early (measuring from
        // "a"'s own start would not hold when "a" itself started late).
        #expect(started["b"]! < started["c"]!)
        #expect(begin.duration(to: started["c"]!) >= .milliseconds(300))
        #expect(begin.duration(to: started["e"]!) >= .milliseconds(600))
        #expect(started["d"]! < started["e"]!)
    }

    @Test func aNodeWithoutABMCFailsWithoutContactingAnything() async {
        let driver = ScriptedDriver()
        let missing = PowerTarget(node: "x", mac: "52:54:00:00:00:09",
                                  endpoint: .failure(PowerFailure("no bmc.address in nodes.yaml")))
        let results = await PowerRunner(drivers: [.ipmi: driver]).run(.status, on: [missing] + targets(["y"]))
        #expect(results[0].error == "no bmc.address in nodes.yaml")
        #expect(results[1].ok)
        #expect(driver.started.withLock { $0["x"] } == nil)
    }
}

@Suite struct ResultTextTests {
    @Test func linesNameTheNodeLikeXCAT() {
        func result(_ operation: PowerOperation, _ report: PowerReport?, error: String? = nil) -> NodeResult {
            NodeResult(node: "compute1", mac: "m", operation: operation, report: report, error: error, seconds: 0.1)
        }
        #expect(ResultText.lines(result(.status, PowerReport(powerIsOn: false))) == ["compute1: off"])
        #expect(ResultText.lines(result(.cycle, PowerReport(powerIsOn: true))) == ["compute1: on (power cycled)"])
        #expect(ResultText.lines(result(.status, nil, error: "no answer")) == ["compute1: ERROR: no answer"])
        let steps = [PowerStep(time: 1, action: BootTarget.pxe.action(persistent: false, uefi: false)),
                     PowerStep(time: 2, action: .on)]
        #expect(ResultText.lines(result(.networkBoot(uefi: false), PowerReport(powerIsOn: true, steps: steps)))
                == ["compute1: boot device pxe (next boot), power on"])
        let sensor = SensorValue(name: "DJtemp", kind: "temperature", value: 96, unit: "degrees C", status: "ok",
                                 thresholds: ["upper critical": 144, "upper non-recoverable": 160, "upper non-critical": 112])
        #expect(ResultText.sensorLine(sensor)
                == "DJtemp: 96 degrees C (ok, upper non-critical 112, upper critical 144, upper non-recoverable 160)")
    }

    @Test func theMostSevereThresholdCrossedIsTheStatus() {
        #expect(SensorValue.status(0) == "ok")
        #expect(SensorValue.status(0b001000) == "upper non-critical")
        #expect(SensorValue.status(0b011000) == "upper critical")
        #expect(SensorValue.status(0b111000) == "upper non-recoverable")
        #expect(SensorValue.status(0b000011) == "lower critical")
    }
}
