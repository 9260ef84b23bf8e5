import HexFixtures

/// Datagrams captured with tcpdump between `ipmitool -I lanplus -C 3` (1.8.19) and OpenIPMI's ipmi_sim
/// (2.0.33) in a network namespace (integration/ipmi-sim's configuration): user "admin", BMC GUID
/// a123456789abcdefa123456789abcdef, ipmitool's console session ID 0xA0A2A3A4.
enum Captures {
    struct Datagram {
        let fromBMC: Bool
        let hex: String
        var bytes: [UInt8] { bytesFromHex(hex) }
    }

    static let username = "admin"
    static let password = "nrtest-secret"

    /// `chassis power status` with password "nrtest-secret": handshake, Set Session Privilege Level,
    /// ipmitool's own probes, Get Chassis Status (power on), Close Session.
    static let powerStatus: [Datagram] = [
        Datagram(fromBMC: false, hex: "0600ff07000000000000000000092018c88100388e04b5"),
        Datagram(fromBMC: true, hex: "0600ff0700000000000000000010811c6320003800019704030000000009"),
        Datagram(fromBMC: false, hex: "0600ff0706100000000000000000200000000000a4a3a2a0000000080100000001000008010000000200000801000000"),
        Datagram(fromBMC: true, hex: "0600ff0706110000000000000000240000000000a4a3a2a084040000000000080100000001000008010000000200000801000000"),
        Datagram(fromBMC: false, hex: "0600ff0706120000000000000000210000000000840400008d4e78eb4b4bef889c79e0872daa8add1400000561646d696e"),
        Datagram(fromBMC: true, hex: "0600ff07061300000000000000003c0000000000a4a3a2a0d28707ca846910f2c09b8ea44729a2dba123456789abcdefa123456789abcdefc63fa9337c0dbb01925628518f77b8530f860c09"),
        Datagram(fromBMC: false, hex: "0600ff07061400000000000000001c0000000000840400007089e5cb813a160c2dd03b8538b20f23e826e995"),
        Datagram(fromBMC: true, hex: "0600ff0706150000000000000000140000000000a4a3a2a0f43f1952fe50109d8bb155f7"),
        Datagram(fromBMC: false, hex: "0600ff0706c084040000030000002000aaff9e74044b2427045eca2d94f0d8623f23012605c63b8ad4b8eee7e136f1b9ffff020748e1759a3cb9afa3e814b2d8"),
        Datagram(fromBMC: true, hex: "0600ff0706c0a4a3a2a0010000002000ccd6a13c0ed3c9b0e4a37e1164d342e9b594542f7b993d2e12bfbaa7ebd93533ffff0207f5ca652c597ac3c4f889065e"),
        Datagram(fromBMC: false, hex: "0600ff0706c084040000040000002000d99cbf5bcf3fc8d637bc4110f3af6e308df25817add9c6bb60e1fc3cd7aec97cffff0207b41b489ffdfbbf56a55885de"),
        Datagram(fromBMC: true, hex: "0600ff0706c0a4a3a2a0020000002000b20ff54fc420106182cfbb375ec73f1ec68e0d74dd54cde48bfb496d13205735ffff0207bea65a83fc1d8382cf3843fe"),
        Datagram(fromBMC: false, hex: "0600ff0706c0840400000500000020008dc8661194aa56498d3fa8257d2c9815689347d014d4b5677e4b68e8e5f915aeffff0207b4b149f164eb3832712286bb"),
        Datagram(fromBMC: true, hex: "0600ff0706c0a4a3a2a00300000030000341989bc678b6ec1c242eda7b599a4830c040089d3edce30fad85ce1433008f0b28008cb1f1aec8a46d7560b823f499ffff02071cdef05425a11019ba42e73c"),
        Datagram(fromBMC: false, hex: "0600ff0706c084040000060000002000b5c10bd11785a6320e0701ce6ce24964ea9d6265c08c0a70b44c3cc7b4c341ffffff02079da1ae254528fe07c5beb528"),
        Datagram(fromBMC: true, hex: "0600ff0706c0a4a3a2a0040000002000ac1636032071a4c7fd7ce3101da99bc357e8191224ef5551474a84b9acfefa41ffff0207181568a28f45a57f4c45663c"),
        Datagram(fromBMC: false, hex: "0600ff0706c08404000007000000200044d3029b1579e07da620869c2b54486d5d6bee59e413eda1ecde66c45fb60832ffff02073e979f4f39b5317c1d7c6028"),
        Datagram(fromBMC: true, hex: "0600ff0706c0a4a3a2a0050000002000bce9a45ee901cdc452ed5c5683c09c36e82934693d25ff6c5483a4b84b942f13ffff0207a5cf1dd757dab938edd80d22"),
        Datagram(fromBMC: false, hex: "0600ff0706c084040000080000002000de9e4aad0d7291ae11125f090be3e9410d94acc4607a3db26871e458d0f158ccffff02079bd5a4a2627a3d02620de51e"),
        Datagram(fromBMC: true, hex: "0600ff0706c0a4a3a2a00600000020008d6c86de04b8d333f8d5ad070585a3b945c56fc9ba3ade8aa0dd2464aa68dbe7ffff020762c9a035d356e8cf2f36d0ad"),
        Datagram(fromBMC: false, hex: "0600ff0706c084040000090000002000f459fcaeb09205f444d57e4552ebaf8577d9d2db3201805d5978b951d30b37e1ffff0207e70e107257c0799199e7b3dd"),
        Datagram(fromBMC: true, hex: "0600ff0706c0a4a3a2a007000000200034363a19dc6ea8ba47f3ea74fb7fe609efb6f30f81144e6e60c0ec4e1082791cffff02072f6d5405f2c976f94a1c11d2"),
    ]

    /// The same with password "wrong-secret": ipmitool gives up after RAKP 2.
    static let wrongPassword: [Datagram] = [
        Datagram(fromBMC: false, hex: "0600ff07000000000000000000092018c88100388e04b5"),
        Datagram(fromBMC: true, hex: "0600ff0700000000000000000010811c6320003800019704030000000009"),
        Datagram(fromBMC: false, hex: "0600ff0706100000000000000000200000000000a4a3a2a0000000080100000001000008010000000200000801000000"),
        Datagram(fromBMC: true, hex: "0600ff0706110000000000000000240000000000a4a3a2a004050000000000080100000001000008010000000200000801000000"),
        Datagram(fromBMC: false, hex: "0600ff070612000000000000000021000000000004050000eda475fcf24890c75cd9efab48d0120d1400000561646d696e"),
        Datagram(fromBMC: true, hex: "0600ff07061300000000000000003c0000000000a4a3a2a003820f2cedd165ad74fa6a89601efa73a123456789abcdefa123456789abcdefef0a981dc5987590c59d26a8f3d10b87b0ed0a1e"),
    ]
}

/// The fixtures here are literals in this file: a malformed one is a bug in the test, so it traps.
func bytesFromHex(_ hex: String) -> [UInt8] { try! HexFixture.bytes(hex) }
