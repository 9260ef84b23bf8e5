import CSyscalls
import DHCPServer
import Foundation
import Inventory
import Logging
import NetworkSupport
import NFSSupervision
import RogueWatch
import Support
import TFTPServer

/// Everything `serve` needs a capability for, done at once at start while the process has one thread: state_dir
/// checked (umask 077), the bridge brought up, every socket on a privileged port or an interface opened, the rogue
/// watch's captures, and the NFS helper started. `dropCapabilities` follows, and every thread serve starts
/// afterwards (event loops, TFTP transfers, the captures' readers) inherits none.
public struct PrivilegedSetup: Sendable {
    /// The command line's settings it was done with.
    public let settings: Appliance.Settings
    let interface: InterfaceInfo
    let address: IPv4Address
    let dhcp: DHCPService.Sockets
    let tftpListener: Int32
    let httpBootListener: Int32
    let opsListener: Int32?
    /// nil when router advertisements are off; the failure is a warning, not a refusal to start.
    let routerAdvertisementSocket: Result<Int32, ApplianceError>?
    let rogueWatch: Result<RogueMonitor.Handles, ApplianceError>
    /// nil in tests, which run nfs-ganesha (if at all) in their own process.
    let nfsHelper: NFSHelper?

    /// Does it all, or throws the first failure (serve then stops: "cannot start: …"). `executable` is netroot's
    /// own binary, for the NFS helper (nil: no helper).
    public static func perform(inventory: Inventory, settings: Appliance.Settings, executable: String?,
                               logLevel: String, logger: Logger) throws -> PrivilegedSetup {
        umask(0o077)
        _ = DescriptorLimit.raise() // before the NFS helper starts: it inherits the limit
        signal(SIGPIPE, SIG_IGN) // a helper that died must be an error on write, not the end of serve
        let server = inventory.server
        try StateDirectory.prepare(server.stateDirectory)
        if let bridge = inventory.bridge { try Appliance.bringUp(bridge, inventory: inventory, logger: logger) }
        let interface = try InterfaceInfo.lookup(server.interface)
        guard let address = server.address ?? interface.addresses.first else {
            throw InterfaceInfo.LookupError(description: "interface \(interface.name) has no IPv4 address "
                                                + "and server.address is not set")
        }
        let dhcp = try DHCPService.Sockets.open(interface: interface.name, port: settings.dhcpPort)
        let tftp = try TFTPService.openRequestSocket(interface: interface.name, port: settings.tftpPort)
        let httpBoot = netroot_listen_socket(address.value.bigEndian, UInt16(server.httpBootPort), 1024)
        guard httpBoot >= 0 else {
            throw ApplianceError.httpBoot("HTTP boot on \(address):\(server.httpBootPort): \(Self.lastError) "
                                          + "(set server.http_boot_port to a free port)")
        }
        var ops: Int32?
        if let listen = server.http {
            let descriptor = netroot_listen_socket(listen.address.value.bigEndian, UInt16(listen.port), 1024)
            guard descriptor >= 0 else { throw ApplianceError.http("HTTP on \(listen): \(Self.lastError)") }
            ops = descriptor
        }
        var advertisements: Result<Int32, ApplianceError>?
        if server.routerAdvertisements {
            do { advertisements = .success(try RouterAdvertiser.openSocket(interface: interface)) } catch {
                advertisements = .failure(error as? ApplianceError ?? .routerAdvertisements("\(error)"))
            }
        }
        let rogue: Result<RogueMonitor.Handles, ApplianceError>
        do {
            rogue = .success(try RogueMonitor.Handles.open(interface: interface.name, mac: interface.mac,
                                                           probe: server.rogueProbeInterval > 0))
        } catch {
            rogue = .failure(.rogueWatch("\(error)"))
        }
        let helper = try executable.map { executable in
            try NFSHelper.spawn(executable: executable, stateDirectory: server.stateDirectory,
                                bindAddress: address, logLevel: logLevel)
        }
        return PrivilegedSetup(settings: settings, interface: interface, address: address, dhcp: dhcp,
                               tftpListener: tftp, httpBootListener: httpBoot, opsListener: ops,
                               routerAdvertisementSocket: advertisements, rogueWatch: rogue, nfsHelper: helper)
    }

    private static var lastError: String { String(cString: strerror(errno)) }
}
