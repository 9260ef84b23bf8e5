import Testing
@testable import IPMI

@Suite struct SystemRandomTests {
    @Test func everyLengthIsServedExactlyAndDrawsDiffer() {
        for count in [0, 1, 4, 7, 8, 9, 16, 20, 33] {
            #expect(Session.systemRandom(count).count == count)
        }
        // Two 16-byte draws (an IV, a RAKP random number) colliding would mean the generator is broken.
        #expect(Session.systemRandom(16) != Session.systemRandom(16))
    }
}
