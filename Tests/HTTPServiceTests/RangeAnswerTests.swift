import Testing
@testable import HTTPService

@Suite struct RangeAnswerTests {
    @Test func theRangesCurlWgetAndIPXESendAreServed() {
        #expect(RangeAnswer(header: nil, size: 1000) == .whole)
        #expect(RangeAnswer(header: "bytes=0-499", size: 1000) == .part(first: 0, last: 499))
        #expect(RangeAnswer(header: "bytes=500-", size: 1000) == .part(first: 500, last: 999))
        #expect(RangeAnswer(header: "bytes=-100", size: 1000) == .part(first: 900, last: 999))
        #expect(RangeAnswer(header: "bytes=-5000", size: 1000) == .part(first: 0, last: 999))
        #expect(RangeAnswer(header: "bytes=990-5000", size: 1000) == .part(first: 990, last: 999))
    }

    @Test func pastTheEndIsUnsatisfiableAndAnythingElseIsTheWholeFile() {
        #expect(RangeAnswer(header: "bytes=1000-", size: 1000) == .unsatisfiable)
        #expect(RangeAnswer(header: "bytes=-0", size: 1000) == .unsatisfiable)
        #expect(RangeAnswer(header: "bytes=0-", size: 0) == .unsatisfiable)
        for ignored in ["bytes=0-1,5-9", "items=0-1", "bytes=5-1", "bytes=a-b", "bytes=", "bytes=-", "bytes=+1-2",
                        "bytes=99999999999999999999999-"] {
            #expect(RangeAnswer(header: ignored, size: 1000) == .whole, "\(ignored)")
        }
    }
}
