import Inventory
import Yams

/// The settings the running servers took at start (sockets, directories, the bridge): a reload that changes one
/// is refused with "needs a restart", per key, and the last good inventory keeps serving, so no change is ever
/// half applied. `server.bootfile` is the one `server:` key applied live: it lives in the snapshot.
enum RestartOnlySettings {
    /// One change the running server cannot take.
    struct Change: Equatable, CustomStringConvertible {
        /// `server.address`, `bridge`, …
        var key: String
        /// Where the key is in the new file; nil when it was removed (then its section, if any).
        var location: SourceLocation?
        var message: String

        var description: String { "\(key) \(message): needs a restart" }
    }

    /// What the servers were started with, beyond the inventory itself.
    struct Started: Sendable {
        /// The server's address (option 54, next-server, TFTP's and NFS's source): `server.address`, else the
        /// interface's first address at start.
        var address: IPv4Address
        /// The interface's first address at start: what an unset `server.address` means.
        var interfaceAddress: IPv4Address?
    }

    /// The changes from the serving inventory to `new` that need a restart, in file order; `text` is the new
    /// file, for the keys' locations.
    static func changes(from serving: Inventory, to new: Inventory, started: Started, text: String) -> [Change] {
        let old = serving.server, server = new.server
        var found: [(key: String, message: String)] = []
        func compare<Value: Equatable>(_ key: String, _ before: Value, _ after: Value, why: String) {
            guard before != after else { return }
            found.append((key, "changed from \(show(before)) to \(show(after)) (\(why))"))
        }
        compare("interface", old.interface, server.interface, why: "DHCP, TFTP and the watches are bound to it")
        compare("address", started.address, server.address ?? started.interfaceAddress, why:
                    "option 54, next-server, TFTP's and NFS's source address are set at start")
        compare("tftp_root", old.tftpRoot, server.tftpRoot, why: "TFTP holds the root it opened at start")
        compare("state_dir", old.stateDirectory, server.stateDirectory,
                why: "the lease journal, the control socket and NFS live there")
        compare("router_advertisements", old.routerAdvertisements, server.routerAdvertisements,
                why: "the advertiser is started or not at start")
        compare("http", old.http, server.http, why: "the HTTP endpoint is bound at start")
        compare("http_token_file", old.httpTokenFile, server.httpTokenFile, why: "the token is read at start")
        compare("http_names", old.httpNames, server.httpNames, why: "the HTTP endpoint reads them at start")
        compare("http_max_connections", old.httpMaximumConnections, server.httpMaximumConnections,
                why: "the HTTP listeners take their limits at start")
        compare("http_max_connections_per_client", old.httpMaximumConnectionsPerClient,
                server.httpMaximumConnectionsPerClient, why: "the HTTP listeners take their limits at start")
        compare("http_boot_port", old.httpBootPort, server.httpBootPort, why: "the HTTP boot service is bound at start")
        compare("leases", old.leases, server.leases, why: "the lease store is opened at start")
        compare("rogue_probe_interval", old.rogueProbeInterval, server.rogueProbeInterval,
                why: "the probe timer is set at start")
        compare("tftp_max_transfers", old.tftpMaximumTransfers, server.tftpMaximumTransfers,
                why: "TFTP's limits are set at start")
        compare("tftp_max_transfers_per_client", old.tftpMaximumTransfersPerClient,
                server.tftpMaximumTransfersPerClient, why: "TFTP's limits are set at start")
        guard !found.isEmpty || serving.bridge != new.bridge || serving.containers != new.containers else { return [] }
        let locator = KeyLocator(text: text)
        var changes = found.map { change in
            Change(key: "server." + change.key, location: locator.location(of: ["server", change.key]),
                   message: change.message)
        }
        if serving.bridge != new.bridge {
            changes.append(Change(key: "bridge", location: locator.location(of: ["bridge"]),
                                  message: "changed (the bridge is built at start)"))
        }
        if serving.containers != new.containers {
            changes.append(Change(key: "containers", location: locator.location(of: ["containers"]),
                                  message: "changed (containers are plumbed with the bridge at start)"))
        }
        return changes
    }

    private static func show<Value>(_ value: Value) -> String {
        if let optional = value as? any OptionalProtocol { return optional.shown }
        return "\(value)"
    }
}

/// `nil` spelled "unset" in messages.
private protocol OptionalProtocol { var shown: String { get } }
extension Optional: OptionalProtocol {
    fileprivate var shown: String {
        switch self {
        case .some(let value): "\(value)"
        case .none: "unset"
        }
    }
}

/// Where a key is in YAML text: the key itself, else the nearest section that holds it.
struct KeyLocator {
    let root: Yams.Node?

    init(text: String) { root = try? Yams.compose(yaml: text) }

    func location(of path: [String]) -> SourceLocation? {
        var node = root
        var found: SourceLocation?
        for key in path {
            guard let mapping = node?.mapping,
                  let pair = mapping.first(where: { $0.key.string == key }) else { return found }
            found = pair.key.mark.map { SourceLocation(line: $0.line, column: $0.column) }
            node = pair.value
        }
        return found
    }
}
