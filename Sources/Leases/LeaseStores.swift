import DHCP
import Inventory
import Logging

/// Opens the lease store `server.leases` names.
public enum LeaseStores {
    /// The journal under `state_dir`, or the shared PostgreSQL database (this appliance named `name`, else by its
    /// server address). Throws what keeps the server from starting: an unwritable journal, a database that
    /// refuses netroot (password, schema version). Returns the store and the leases it holds.
    public static func open(_ server: ServerSettings, serverAddress: IPv4Address, logger: Logger) async throws
        -> (store: any LeaseStore, leases: LeaseTable) {
        switch server.leases.backend {
        case .journal:
            let opened = try LeaseJournal.open(directory: server.stateDirectory, logger: logger)
            if opened.damagedLines > 0 {
                logger.warning("lease journal: skipped \(opened.damagedLines) damaged line(s)",
                               metadata: ["file": "\(opened.journal.path)"])
            }
            logger.info("leases loaded", metadata: ["count": "\(opened.leases.count)", "file": "\(opened.journal.path)"])
            return (opened.journal, opened.leases)
        case .postgresql:
            let configuration = PostgresLeaseStore.Configuration(
                settings: server.leases, appliance: server.leases.name ?? "\(serverAddress)",
                address: "\(serverAddress)", stateDirectory: server.stateDirectory)
            let opened = try await PostgresLeaseStore.open(configuration, logger: logger)
            logger.info("leases loaded", metadata: ["count": "\(opened.leases.count)",
                                                    "database": "\(server.leases.url.map { "\($0)" } ?? "")",
                                                    "appliance": "\(configuration.appliance)"])
            return (opened.store, opened.leases)
        }
    }
}
