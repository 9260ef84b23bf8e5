@testable import DHCPServer
import Testing

/// Which log lines a burst of lease store failures deserves.
@Suite struct JournalHealthTests {
    @Test func aBurstOfFailuresIsLoggedOnceThenSummarised() {
        var health = JournalHealth()
        #expect(health.failed("No space left on device", at: 100) == .firstFailure(reason: "No space left on device"))
        for second in 101..<120 { #expect(health.failed("No space left on device", at: Double(second)) == nil) }
        #expect(health.failed("No space left on device", at: 121)
                    == .moreFailures(count: 20, seconds: 21, reason: "No space left on device"))
        #expect(health.failingSince == 100)
        #expect(health.succeeded(at: 130) == .recovered(failures: 21, seconds: 30))
        #expect(health.failingSince == nil)
        #expect(health.succeeded(at: 131) == nil)
    }
}
