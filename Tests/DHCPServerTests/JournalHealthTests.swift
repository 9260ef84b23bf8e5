@testable import DHCPServer
import Testing

/// When a spell of lease store failures begins and ends (the log lines are the throttle's).
@Suite struct JournalHealthTests {
    @Test func aSpellBeginsOnceAndEndsWithItsLength() {
        var health = JournalHealth()
        let start = ContinuousClock.now
        let began = health.failed("No space left on device", at: 100, now: start)
        #expect(began)
        for second in 1..<21 {
            let beganAgain = health.failed("No space left on device", at: 100 + Double(second), now: start + .seconds(second))
            #expect(!beganAgain)
        }
        #expect(health.failingSince == 100, "the wall time shown is the spell's first failure")
        #expect(health.lastError == "No space left on device")
        // The length comes from the monotonic clock, whatever the wall clock did meanwhile.
        #expect(health.succeeded(now: start + .seconds(30)) == .init(failures: 21, seconds: 30))
        #expect(health.failingSince == nil)
        #expect(health.succeeded(now: start + .seconds(31)) == nil)
    }
}
