/// RFC 3074 load balancing among the appliances sharing one lease database: which pool clients this one answers.
///
/// Every client hashes (RFC 3074's Pearson hash over its client identifier, else its hardware address) into one
/// of 256 buckets. Bucket `b` belongs to `members[b % members.count]` (members sorted by name, so every appliance
/// computes the same owner). A member whose heartbeat is stale has its buckets answered by the live members,
/// split among them the same way, and gets them back when its heartbeat returns. A client whose `secs` shows
/// it has waited at least `maximumSeconds` is answered by anyone (RFC 3074 §4: its own server may be gone).
public struct LoadBalance: Sendable, Equatable {
    /// Every appliance in the database, this one included, sorted by name.
    public let members: [String]
    /// The members whose heartbeat is recent (this one always is).
    public let alive: Set<String>
    public let this: String
    public let maximumSeconds: UInt16

    public init(members: [String], alive: Set<String>, this: String, maximumSeconds: UInt16) {
        self.members = Array(Set(members).union([this])).sorted()
        self.alive = alive.union([this])
        self.this = this
        self.maximumSeconds = maximumSeconds
    }

    /// Whether more than one appliance shares the pool (else every client is this one's).
    public var isShared: Bool { members.count > 1 }

    /// Whether this appliance answers a pool client with hash key `key` that has waited `secs` seconds.
    public func answers(key: some Collection<UInt8>, secs: UInt16) -> Bool {
        guard isShared else { return true }
        if secs >= maximumSeconds && maximumSeconds > 0 { return true }
        return answers(bucket: Self.bucket(of: key))
    }

    /// Whether this appliance answers the clients of `bucket` now.
    public func answers(bucket: UInt8) -> Bool {
        let index = Int(bucket)
        let owner = members[index % members.count]
        if owner == this { return true }
        if alive.contains(owner) { return false }
        // The owner is silent: the live members split its buckets, in the same order everywhere.
        let live = members.filter(alive.contains)
        return live[(index / members.count) % live.count] == this
    }

    /// How many of the 256 buckets this appliance answers now (for `status`).
    public var bucketCount: Int { (0...255).filter { answers(bucket: UInt8($0)) }.count }

    /// RFC 3074 §6's hash: Pearson's, started at the key's length and run from its last byte to its first.
    public static func bucket(of key: some Collection<UInt8>) -> UInt8 {
        var hash = UInt8(truncatingIfNeeded: key.count)
        for byte in key.reversed() { hash = mixingTable[Int(hash ^ byte)] }
        return hash
    }

    /// RFC 3074 §6's mixing table: a permutation of 0...255.
    static let mixingTable: [UInt8] = [
        251, 175, 119, 215, 81, 14, 79, 191, 103, 49, 181, 143, 186, 157, 0, 232,
        31, 32, 55, 60, 152, 58, 17, 237, 174, 70, 160, 144, 220, 90, 57, 223,
        59, 3, 18, 140, 111, 166, 203, 196, 134, 243, 124, 95, 222, 179, 197, 65,
        180, 48, 36, 15, 107, 46, 233, 130, 165, 30, 123, 161, 209, 23, 97, 16,
        40, 91, 219, 61, 100, 10, 210, 109, 250, 127, 22, 138, 29, 108, 244, 67,
        207, 9, 178, 204, 74, 98, 126, 249, 167, 116, 34, 77, 193, 200, 121, 5,
        20, 113, 71, 35, 128, 13, 182, 94, 25, 226, 227, 199, 75, 27, 41, 245,
        230, 224, 43, 225, 177, 26, 155, 150, 212, 142, 218, 115, 241, 73, 88, 105,
        39, 114, 62, 255, 192, 201, 145, 214, 168, 158, 221, 148, 154, 122, 12, 84,
        82, 163, 44, 139, 228, 236, 205, 242, 217, 11, 187, 146, 159, 64, 86, 239,
        195, 42, 106, 198, 118, 112, 184, 172, 87, 2, 173, 117, 176, 229, 247, 253,
        137, 185, 99, 164, 102, 147, 45, 66, 231, 52, 141, 211, 194, 206, 246, 238,
        56, 110, 78, 248, 63, 240, 189, 93, 92, 51, 53, 183, 19, 171, 72, 50,
        33, 104, 101, 69, 8, 252, 83, 120, 76, 135, 85, 54, 202, 125, 188, 213,
        96, 235, 136, 208, 162, 129, 190, 132, 156, 38, 47, 1, 7, 254, 24, 4,
        216, 131, 89, 21, 28, 133, 37, 153, 149, 80, 170, 68, 6, 169, 234, 151,
    ]
}
