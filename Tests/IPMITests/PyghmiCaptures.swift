/// Datagrams captured with tcpdump between ipmi-probe (netroot's client) and pyghmi's fakebmc (python3-pyghmi
/// 1.5.34, an IPMI 2.0 BMC written independently of OpenIPMI) in a network namespace: user "admin", password
/// "password". integration/ipmi-interop drives the same BMC.
extension Captures {
    enum Pyghmi {
        static let username = "admin"
        static let password = "password"

        /// `ipmi-probe status` with cipher suite 3: handshake, Set Session Privilege Level, Get Chassis Status
        /// (power off), Close Session.
        static let status: [Datagram] = [
            Datagram(fromBMC: false, hex: "0600ff07000000000000000000092018c88100388e04b5"),
            Datagram(fromBMC: true, hex: "0600ff0700000000000000000010811c6320003800018004020000000021"),
            Datagram(fromBMC: false, hex: "0600ff0706100000000000000000200000000000e9f91e02000000080100000001000008010000000200000801000000"),
            Datagram(fromBMC: true, hex: "0600ff0706110000000000000000240000000400e9f91e029c4f685e000000080100000001000008010000000200000801000000"),
            Datagram(fromBMC: false, hex: "0600ff07061200000000000000002100000000009c4f685ed7f956241bd7ba6dbde50c9514a39f081400000561646d696e"),
            Datagram(fromBMC: true, hex: "0600ff07061300000000000000003c0000000000e9f91e02dcb48d4cd5de064178d0b657ef9b7d351dfe59ad2bf040f98e302199c239ad3cea33eecaedff67c20f2c452f4d0ac182fc87665e"),
            Datagram(fromBMC: false, hex: "0600ff07061400000000000000001c00000000009c4f685efd7059f2905adb08f72b5f33e8480127aeb8a1ad"),
            Datagram(fromBMC: true, hex: "0600ff0706150000000000000000140000000000e9f91e029f316e110d70b37856c742ae"),
            Datagram(fromBMC: false, hex: "0600ff0706c09c4f685e0100000020006b72cb9f6f70568e9ae235d02458c6d9cd4c9fb6124ba82a8256ac0933662535ffff0207c0c8e708a759e93ac5977caf"),
            Datagram(fromBMC: true, hex: "0600ff0706c0e9f91e020100000020005f3314d593918610c64710369ae3b82cb1ff12d3342cd6d9944c53acd2f6248cffff02075c6635d1069d04e984f52a88"),
            Datagram(fromBMC: false, hex: "0600ff0706c09c4f685e0200000020003c86c8a2715e71ee69f7b5a282e25cb1f36e53099240d568b0b1121a07720ed5ffff0207b05691b143a49ab04c20647b"),
            Datagram(fromBMC: true, hex: "0600ff0706c0e9f91e02020000002000b5f0510679ed95fbdce2d91ddca3c222dbd64b9ced620f195814f4b6c7f19d13ffff02076da79cb8a164aeeb7fc2034a"),
            Datagram(fromBMC: false, hex: "0600ff0706c09c4f685e030000002000d7b94207d92c477197c07b2e18bcc3d47cb80317b8b9cb34347d37bf9304978cffff0207207e0b4b12c404e65d7f1b5b"),
            Datagram(fromBMC: true, hex: "0600ff0706c0e9f91e02030000002000bcbf00bf51eba6461250908246f3935218df60dda48f63a570223da70a371b83ffff02073aefc53a413c9b3d1362bbb1"),
        ]

        /// `ipmi-probe --suite 17 status`: pyghmi answers the Open Session Request for suite 17 (RAKP-HMAC-SHA256,
        /// HMAC-SHA256-128, AES-CBC-128) with status 0 and the algorithms of suite 3.
        static let suite17: [Datagram] = [
            Datagram(fromBMC: false, hex: "0600ff07000000000000000000092018c88100388e04b5"),
            Datagram(fromBMC: true, hex: "0600ff0700000000000000000010811c6320003800018004020000000021"),
            Datagram(fromBMC: false, hex: "0600ff07061000000000000000002000000000005b90d5fc000000080300000001000008040000000200000801000000"),
            Datagram(fromBMC: true, hex: "0600ff07061100000000000000002400000004005b90d5fc4f0d55fc000000080100000001000008010000000200000801000000"),
        ]

        /// `ipmi-probe --user nobody --timeout 0.3 --attempts 2 status`: pyghmi never answers RAKP 1 for a user
        /// it does not know (no RAKP 2 with "unauthorized name"): the same RAKP 1 goes out twice.
        static let unknownUser: [Datagram] = [
            Datagram(fromBMC: false, hex: "0600ff07000000000000000000092018c88100388e04b5"),
            Datagram(fromBMC: true, hex: "0600ff0700000000000000000010811c6320003800018004020000000021"),
            Datagram(fromBMC: false, hex: "0600ff0706100000000000000000200000000000d7a40a7b000000080100000001000008010000000200000801000000"),
            Datagram(fromBMC: true, hex: "0600ff0706110000000000000000240000000400d7a40a7b64301b0c000000080100000001000008010000000200000801000000"),
            Datagram(fromBMC: false, hex: "0600ff070612000000000000000022000000000064301b0c6ca4c2a950ea1f4859dcb9ce99500248140000066e6f626f6479"),
            Datagram(fromBMC: false, hex: "0600ff070612000000000000000022000000000064301b0c6ca4c2a950ea1f4859dcb9ce99500248140000066e6f626f6479"),
        ]
    }
}
