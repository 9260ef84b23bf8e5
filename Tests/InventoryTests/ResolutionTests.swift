import Foundation
import Inventory
import Testing

/// Precedence node > later group > earlier group > image > default, each value with its provenance.
@Suite struct ResolutionTests {
    static let yaml = """
        server:
          interface: br0
          bootfile:
            uefi: efi64/syslinux.efi
        networks:
          provision:
            subnet: 10.0.0.0/24
            lease_time: 1h30m
        images:
          base:
            kernel: base/vmlinuz
            initrd: base/initrd.img
            root_path: nfs:10.0.0.2:/base
            cmdline: root=dhcp ro
          gpu:
            kernel: gpu/vmlinuz
        groups:
          compute:
            image: base
            cmdline: root=dhcp ro quiet
          debug:
            cmdline: root=dhcp ro debug
          storage:
            root_path: nfs:10.0.0.3:/storage
        nodes:
          plain:
            mac: 52:54:00:00:00:01
            ip: 10.0.0.11
            image: base
          grouped:
            mac: 52:54:00:00:00:02
            ip: 10.0.0.12
            groups: [compute, debug]
          reversed:
            mac: 52:54:00:00:00:03
            ip: 10.0.0.13
            groups: [debug, compute]
          own:
            mac: 52:54:00:00:00:04
            ip: 10.0.0.14
            hostname: own-host
            groups: [compute, storage]
            image: gpu
            cmdline: single
          diskful:
            mac: 52:54:00:00:00:05
            ip: 10.0.0.15
        """

    let inventory: Inventory

    init() throws {
        inventory = try #require(load(Self.yaml).inventory)
    }

    @Test func imageSuppliesWhatNothingElseSets() throws {
        let profile = try #require(inventory.profile(named: "plain"))
        #expect(profile.image == Resolved("base", from: .node))
        #expect(profile.kernel == Resolved("base/vmlinuz", from: .image("base")))
        #expect(profile.initrd == Resolved("base/initrd.img", from: .image("base")))
        #expect(profile.rootPath == Resolved(nfsRoot("nfs:10.0.0.2:/base"), from: .image("base")))
        #expect(profile.cmdline == Resolved("root=dhcp ro", from: .image("base")))
        #expect(profile.hostname == Resolved("plain", from: .defaultValue))
        #expect(profile.biosBootfile == Resolved("pxelinux.0", from: .defaultValue))
        #expect(profile.uefiBootfile == Resolved("efi64/syslinux.efi", from: .server))
        #expect(profile.leaseTime == Resolved(LeaseDuration(seconds: 5400), from: .network("provision")))
    }

    @Test func laterGroupWinsOverEarlierGroupAndGroupsOverImage() throws {
        let grouped = try #require(inventory.profile(named: "grouped"))
        #expect(grouped.image == Resolved("base", from: .group("compute")))
        #expect(grouped.cmdline == Resolved("root=dhcp ro debug", from: .group("debug")))
        #expect(grouped.rootPath == Resolved(nfsRoot("nfs:10.0.0.2:/base"), from: .image("base")))

        let reversed = try #require(inventory.profile(named: "reversed"))
        #expect(reversed.cmdline == Resolved("root=dhcp ro quiet", from: .group("compute")))
    }

    @Test func nodeKeysWinOverEverything() throws {
        let profile = try #require(inventory.profile(named: "own"))
        #expect(profile.image == Resolved("gpu", from: .node))
        #expect(profile.kernel == Resolved("gpu/vmlinuz", from: .image("gpu")))
        #expect(profile.initrd == nil)
        #expect(profile.cmdline == Resolved("single", from: .node))
        #expect(profile.rootPath == Resolved(nfsRoot("nfs:10.0.0.3:/storage"), from: .group("storage")))
        #expect(profile.hostname == Resolved("own-host", from: .node))
    }

    @Test func nodeWithoutImageBootsLocally() throws {
        let profile = try #require(inventory.profile(named: "diskful"))
        #expect(profile.image == nil)
        #expect(profile.kernel == nil)
        #expect(profile.rootPath == nil)
        #expect(profile.cmdline == Resolved("", from: .defaultValue))
    }

    @Test func lookupsByNameMACAndIP() throws {
        let byMAC = try #require(inventory.profile(matching: "52-54-00-00-00-02"))
        #expect(byMAC.name == "grouped")
        #expect(inventory.profile(matching: "10.0.0.13")?.name == "reversed")
        #expect(inventory.profile(matching: "nobody") == nil)
        #expect(inventory.nodeName(closestTo: "grouepd") == "grouped")
    }

    @Test func detailsNameEverySource() throws {
        let profile = try #require(inventory.profile(named: "own"))
        let text = InventoryReport.nodeDetails(profile, server: inventory.server)
        // KEY, VALUE and FROM columns are separated by at least two spaces.
        let rows = text.split(separator: "\n").map { line in
            line.split(separator: "  ", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        #expect(rows.contains(["cmdline", "single", "node"]))
        #expect(rows.contains(["root_path", "nfs:10.0.0.3:/storage", "group storage"]))
        #expect(rows.contains(["kernel", "gpu/vmlinuz", "image gpu"]))
        #expect(rows.contains(["lease_time", "1h30m", "network provision"]))
        #expect(rows.contains(["initrd", "-", "not set"]))
    }

    @Test func pathsResolveAgainstTheFile() {
        #expect(inventory.server.tftpRoot == "/srv/images")
        #expect(inventory.server.stateDirectory == "/var/lib/netroot")
    }
}
