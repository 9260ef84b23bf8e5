import Inventory
import Values

/// Runs one operation on many nodes: at most `parallel` at once, each node within `timeout`, in batches of
/// `batchSize` that start `interval` apart (xCAT's syspowermaxnodes / syspowerinterval), so a rack powered on
/// together does not stampede the appliance. A failing or silent BMC never holds up the others.
public struct PowerRunner: Sendable {
    public var drivers: [BMCProtocol: any BMCDriver]
    public var parallel: Int
    public var timeout: Duration
    /// Nodes per batch; 0 puts every node in one batch.
    public var batchSize: Int
    public var interval: Duration

    public init(drivers: [BMCProtocol: any BMCDriver], parallel: Int = 50, timeout: Duration = .seconds(20),
                batchSize: Int = 0, interval: Duration = .zero) {
        self.drivers = drivers
        self.parallel = max(1, parallel)
        self.timeout = timeout
        self.batchSize = batchSize
        self.interval = interval
    }

    /// Results in the order of `targets`; `onResult` sees each one as soon as it is known (for streaming lines).
    public func run(_ operation: PowerOperation, on targets: [PowerTarget],
                    onResult: @escaping @Sendable (NodeResult) -> Void = { _ in }) async -> [NodeResult] {
        let clock = ContinuousClock()
        let size = batchSize > 0 ? batchSize : max(1, targets.count)
        var results: [NodeResult?] = Array(repeating: nil, count: targets.count)
        var batchStart = clock.now
        for batch in stride(from: 0, to: targets.count, by: size) {
            if batch > 0 {
                batchStart = batchStart + interval
                try? await clock.sleep(until: batchStart)
            }
            let indices = Array(batch..<min(targets.count, batch + size))
            for (index, result) in await runBatch(operation, indices: indices, targets: targets, onResult: onResult) {
                results[index] = result
            }
        }
        return results.compactMap { $0 }
    }

    private func runBatch(_ operation: PowerOperation, indices: [Int], targets: [PowerTarget],
                          onResult: @escaping @Sendable (NodeResult) -> Void) async -> [(Int, NodeResult)] {
        await withTaskGroup(of: (Int, NodeResult).self) { group in
            var pending = indices[...]
            var done: [(Int, NodeResult)] = []
            func startNext() {
                guard let index = pending.popFirst() else { return }
                let target = targets[index]
                group.addTask { (index, await perform(operation, on: target)) }
            }
            for _ in 0..<min(parallel, indices.count) { startNext() }
            while let finished = await group.next() {
                onResult(finished.1)
                done.append(finished)
                startNext()
            }
            return done
        }
    }

    private func perform(_ operation: PowerOperation, on target: PowerTarget) async -> NodeResult {
        let clock = ContinuousClock()
        let started = clock.now
        func result(_ report: PowerReport?, _ error: String?) -> NodeResult {
            let elapsed = started.duration(to: clock.now)
            return NodeResult(node: target.node, mac: target.mac, operation: operation, report: report, error: error,
                              seconds: Double(elapsed.components.seconds)
                                  + Double(elapsed.components.attoseconds) / 1e18)
        }
        let endpoint: BMCEndpoint
        switch target.endpoint {
        case .failure(let failure): return result(nil, failure.description)
        case .success(let found): endpoint = found
        }
        guard let driver = drivers[endpoint.protocol] else {
            return result(nil, "no driver for BMC protocol \(endpoint.protocol)")
        }
        // What a driver returns quotes the BMC (sensor and FRU names, error messages): escaped as it enters.
        do {
            return result(try await driver.perform(operation, on: endpoint, deadline: started + timeout).escaped, nil)
        } catch let failure as PowerFailureAfterSteps {
            // The changes made before the failure are the node's too (its boot timeline shows them, then the failure).
            return result(PowerReport(steps: failure.steps),
                          UntrustedText.escape("\(failure.failure)", limit: PowerReport.failureTextLimit))
        } catch {
            return result(nil, UntrustedText.escape("\(error)", limit: PowerReport.failureTextLimit))
        }
    }
}
