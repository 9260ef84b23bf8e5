@testable import NFSSupervision
import Foundation
import Inventory
import Testing

/// nfs-ganesha's exports: only the inventory's subnets may mount, squashed as each image's `nfs_squash` says.
@Suite struct GaneshaConfigTests {
    func subnet(_ text: String) throws -> IPv4Subnet { try IPv4Subnet.parse(text).get() }

    /// An inventory with a relayed network written before the local one, and two exported images.
    func inventory() throws -> Inventory {
        let text = """
            server: {interface: eth0, address: 10.0.0.1, tftp_root: /srv, state_dir: /state}
            networks:
              relayed: {subnet: 10.1.0.0/16}
              lan: {subnet: 10.0.0.0/24}
            images:
              plain: {kernel: a/vmlinuz, root_path: "nfs:10.0.0.1:/plain", export: nfs}
              squashed: {kernel: a/vmlinuz, root_path: "nfs:10.0.0.1:/squashed", export: nfs, nfs_squash: all}
              local: {kernel: a/vmlinuz}
            """
        let result = InventoryLoader.parse(text: text, file: "nodes.yaml", baseDirectory: "/", fileExists: { _ in true })
        return try #require(result.inventory, "\(result.diagnostics)")
    }

    @Test func everyNetworkMountsEveryExportInAddressOrderWithItsImagesSquash() throws {
        let clients = [try subnet("10.0.0.0/24"), try subnet("10.1.0.0/16")]
        #expect(NFSExport.exports(of: try inventory()) == [
            NFSExport(image: "plain", directory: "/state/images/plain/rootfs", path: "/plain", clients: clients,
                      squash: .none),
            NFSExport(image: "squashed", directory: "/state/images/squashed/rootfs", path: "/squashed",
                      clients: clients, squash: .all),
        ])
    }

    @Test func onlyTheListedClientsGetReadOnlyAccess() throws {
        let export = NFSExport(image: "rocky9", directory: "/state/images/rocky9/rootfs", path: "/images/rocky9",
                               clients: [try subnet("10.0.0.0/24"), try subnet("10.1.0.0/16")], squash: .root)
        let text = GaneshaConfig.render([export], bindAddress: nil, runDirectory: "/run/netroot")
        let block = try #require(text.range(of: "EXPORT {").map { String(text[$0.lowerBound...]) })
        #expect(block == """
            EXPORT {
                Export_Id = 1;
                Path = "/state/images/rocky9/rootfs";
                Pseudo = "/images/rocky9";
                Access_Type = None;
                SecType = sys;
                Protocols = 3, 4;
                Transports = TCP, UDP;
                FSAL {
                    Name = VFS;
                }
                CLIENT {
                    Clients = 10.0.0.0/24, 10.1.0.0/16;
                    Access_Type = RO;
                    Squash = Root_Squash;
                }
            }

            """)
    }

    @Test(arguments: [(NFSSquash.none, "No_Root_Squash"), (.root, "Root_Squash"), (.all, "All_Squash")])
    func eachSquashIsWrittenAsGaneshaNamesIt(squash: NFSSquash, option: String) throws {
        let export = NFSExport(image: "a", directory: "/a", path: "/a", clients: [try subnet("10.0.0.0/24")],
                               squash: squash)
        let text = GaneshaConfig.render([export], bindAddress: nil, runDirectory: "/run/netroot")
        #expect(text.contains("        Squash = \(option);\n"))
        #expect(text.components(separatedBy: "Squash =").count == 2, "one Squash, in the CLIENT block")
    }

    @Test func theClientsAndSquashSurviveTheHelpersJSON() throws {
        let export = NFSExport(image: "a", directory: "/a", path: "/a", clients: [try subnet("10.1.0.0/16")],
                               squash: .all)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let json = String(decoding: try encoder.encode(export), as: UTF8.self)
        #expect(json.contains(#""clients":["10.1.0.0/16"]"#) && json.contains(#""squash":"all""#))
        #expect(try JSONDecoder().decode(NFSExport.self, from: Data(json.utf8)) == export)
        let hostBits = json.replacingOccurrences(of: "10.1.0.0", with: "10.1.0.1")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(NFSExport.self, from: Data(hostBits.utf8)) }
    }

    @Test func withoutNetworksNobodyMayMount() {
        let text = GaneshaConfig.render([NFSExport(image: "a", directory: "/a", path: "/a")], bindAddress: nil,
                                        runDirectory: "/run/netroot")
        #expect(text.contains("    Access_Type = None;\n"))
        #expect(!text.contains("CLIENT"))
        #expect(!text.contains("RO;"))
    }
}
