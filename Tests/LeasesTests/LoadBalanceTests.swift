import Testing
@testable import Leases

/// RFC 3074 shares among appliances: disjoint while all live, taken over when one is silent, given back.
@Suite struct LoadBalanceTests {
    @Test func mixingTableIsAPermutation() {
        #expect(LoadBalance.mixingTable.count == 256)
        #expect(Set(LoadBalance.mixingTable).count == 256)
    }

    @Test func hashStartsAtTheLengthAndRunsBackwards() {
        // One byte: table[1 ^ b]; two bytes: table[table[2 ^ b1] ^ b0] (RFC 3074 §6).
        #expect(LoadBalance.bucket(of: [0x00]) == LoadBalance.mixingTable[1])
        #expect(LoadBalance.bucket(of: [0x05, 0x07])
                    == LoadBalance.mixingTable[Int(LoadBalance.mixingTable[2 ^ 7] ^ 5)])
        #expect(LoadBalance.bucket(of: [UInt8]()) == 0)
    }

    @Test func macsSpreadOverBuckets() {
        // 1,000 sequential MACs (what a rack's NICs look like) land in most of the 256 buckets.
        let buckets = Set((0..<1000).map { index in
            LoadBalance.bucket(of: [0x52, 0x54, 0x00, 0x12, UInt8(index >> 8), UInt8(index & 0xFF)])
        })
        #expect(buckets.count > 200)
    }

    @Test func twoLiveAppliancesSplitTheBucketsExactly() {
        let a = LoadBalance(members: ["a", "b"], alive: ["a", "b"], this: "a", maximumSeconds: 3)
        let b = LoadBalance(members: ["b", "a"], alive: ["a", "b"], this: "b", maximumSeconds: 3)
        for bucket in 0...255 {
            #expect(a.answers(bucket: UInt8(bucket)) != b.answers(bucket: UInt8(bucket)))
        }
        #expect(a.bucketCount == 128)
    }

    @Test func aSilentPartnersShareIsTakenOverThenGivenBack() {
        let alone = LoadBalance(members: ["a", "b"], alive: ["a"], this: "a", maximumSeconds: 3)
        #expect(alone.bucketCount == 256)
        let back = LoadBalance(members: ["a", "b"], alive: ["a", "b"], this: "a", maximumSeconds: 3)
        #expect(back.bucketCount == 128)
    }

    @Test func threeAppliancesSplitADeadOnesShareBetweenTheOtherTwo() {
        let members = ["a", "b", "c"]
        let views = members.map { LoadBalance(members: members, alive: ["a", "c"], this: $0, maximumSeconds: 3) }
        for bucket in 0...255 {
            let answering = [views[0], views[2]].filter { $0.answers(bucket: UInt8(bucket)) }
            #expect(answering.count == 1, "bucket \(bucket) is answered by exactly one live appliance")
        }
        #expect(views[0].bucketCount + views[2].bucketCount == 256)
        #expect(abs(views[0].bucketCount - views[2].bucketCount) <= 2)
    }

    @Test func aClientThatWaitedIsAnsweredByAnyone() {
        let a = LoadBalance(members: ["a", "b"], alive: ["a", "b"], this: "a", maximumSeconds: 3)
        let theirs = (0...255).map(UInt8.init).first { !a.answers(key: [$0], secs: 0) }!
        #expect(!a.answers(key: [theirs], secs: 2))
        #expect(a.answers(key: [theirs], secs: 3))
        let never = LoadBalance(members: ["a", "b"], alive: ["a", "b"], this: "a", maximumSeconds: 0)
        #expect(!never.answers(key: [theirs], secs: 60))
    }

    @Test func oneApplianceAnswersEveryone() {
        let single = LoadBalance(members: [], alive: [], this: "a", maximumSeconds: 3)
        #expect(!single.isShared)
        #expect(single.answers(key: [1, 2, 3], secs: 0))
    }
}
