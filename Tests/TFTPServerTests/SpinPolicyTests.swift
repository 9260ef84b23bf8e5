import Testing
@testable import TFTPServer

/// The transfer thread spins for clients that answer within microseconds and sleeps for slow ones (GRUB under
/// emulation), measuring again now and then.
@Suite struct SpinPolicyTests {
    let start = ContinuousClock.now

    /// Handles `count` packets from a client that answers after `wait` each (nil: never within the window).
    private func exchange(_ policy: inout SpinPolicy, count: Int, wait: Duration?, from time: inout ContinuousClock.Instant)
        -> [Bool] {
        var spun: [Bool] = []
        for _ in 0..<count {
            let spins = policy.spinsAfterPacket(handledAt: time)
            spun.append(spins)
            guard let wait else {
                if spins { policy.windowPassed() }
                time += .milliseconds(1)
                policy.packetArrived(at: time)
                continue
            }
            time += wait
            if spins, wait >= policy.window { policy.windowPassed() }
            policy.packetArrived(at: time)
        }
        return spun
    }

    @Test func aFastClientKeepsTheThreadSpinning() {
        var policy = SpinPolicy(window: .microseconds(200))
        var time = start
        #expect(exchange(&policy, count: 100, wait: .microseconds(12), from: &time).allSatisfy { $0 })
        #expect(policy.averageWait < .microseconds(40))
    }

    @Test func aSlowClientStopsTheSpinAndIsMeasuredAgainNowAndThen() {
        var policy = SpinPolicy(window: .microseconds(200))
        var time = start
        let spun = exchange(&policy, count: 200, wait: .microseconds(150), from: &time)
        // Two spins while the average rises, then one probe in 32.
        #expect(spun.prefix(2).allSatisfy { $0 })
        #expect(spun.dropFirst(10).filter { $0 }.count <= 200 / 32 + 1)
        #expect(!policy.spinning)
        // Silent clients (a window that passes) count as the whole window.
        var silent = SpinPolicy(window: .microseconds(200))
        _ = exchange(&silent, count: 5, wait: nil, from: &time)
        #expect(!silent.spinning)
    }

    @Test func aClientThatSpeedsUpIsNoticedAtTheNextProbe() {
        var policy = SpinPolicy(window: .microseconds(200))
        var time = start
        _ = exchange(&policy, count: 64, wait: .microseconds(270), from: &time)
        #expect(!policy.spinning)
        let fast = exchange(&policy, count: 64, wait: .microseconds(10), from: &time)
        let firstSpin = fast.firstIndex(of: true) ?? 64
        #expect(firstSpin < 32)
        #expect(fast[(firstSpin + 1)...].allSatisfy { $0 })
    }
}
