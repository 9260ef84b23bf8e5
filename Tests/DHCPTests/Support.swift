import DHCP
import Foundation
import HexFixtures
import Inventory
import Testing

/// The bytes a real client sent, recorded by integration/capture/record-clients.
func captured(_ name: String) throws -> [UInt8] { try HexFixture.capture("\(name).hex") }

let testInventoryYAML = """
    server:
      interface: nr0
      address: 192.168.1.200
      bootfile: {bios: pxelinux.0, uefi: efi64/syslinux.efi}
    networks:
      provision:
        subnet: 192.168.1.0/24
        router: 192.168.1.1
        dns: [192.168.1.1]
        domain: cluster.local
        lease_time: 1h
        pool: 192.168.1.100-192.168.1.102
      remote:
        subnet: 10.20.0.0/24
        lease_time: 2h
    images:
      rhel6: {kernel: rhel6/vmlinuz, initrd: rhel6/initrd.img, root_path: "nfs:192.168.1.200:/srv/rhel6", cmdline: root=dhcp}
    groups:
      compute: {image: rhel6}
    nodes:
      compute1: {mac: "52:54:00:12:34:57", ip: 192.168.1.11, groups: [compute]}
      compute2: {mac: "52:54:00:12:34:56", ip: 192.168.1.12, groups: [compute]}
      far1: {mac: "52:54:00:00:20:01", ip: 10.20.0.5, groups: [compute]}
    """

func testInventory(_ yaml: String = testInventoryYAML) throws -> Inventory {
    let result = InventoryLoader.parse(text: yaml, file: "nodes.yaml", baseDirectory: "/srv/config",
                                       fileExists: { _ in true })
    return try #require(result.inventory, "\(result.diagnostics)")
}

let serverAddress = IPv4Address("192.168.1.200")!
let startTime: Int64 = 1_800_000_000

/// A client message as a test would hand-build it.
func clientMessage(_ type: DHCPMessageType, mac: String, xid: UInt32 = 0x1234_5678,
                   configure: (inout DHCPMessage) -> Void = { _ in }) -> DHCPMessage {
    var message = DHCPMessage(op: .request, xid: xid, chaddr: MACAddress(mac)!.bytes)
    message.options.messageType = type
    configure(&message)
    return message
}

/// Replaces the client hardware address of a captured message.
func withMAC(_ message: DHCPMessage, _ mac: String) -> DHCPMessage {
    var copy = message
    copy.chaddr = MACAddress(mac)!.bytes + [UInt8](repeating: 0, count: 10)
    return copy
}
