import CoreMetrics
import DHCP
import DHCPServer
import Diagnostics
import HTTPBoot
import Inventory
import Leases
import NIOConcurrencyHelpers
import Prometheus
import TFTPServer

/// The server's counts as Prometheus metrics: swift-metrics handlers from swift-prometheus's factory, brought up
/// to date from the servers' own counters when scraped, then emitted in the text format.
final class MetricsExporter: Sendable {
    /// What a scrape reads.
    struct Sources: Sendable {
        var dhcp: DHCPCounters.Snapshot
        var tftp: TFTPCounters.Snapshot
        var activeTransfers: Int
        var httpBoot: HTTPBootCounters.Snapshot?
        var leases: LeaseTable
        var leaseStore: LeaseStoreHealth
        var inventory: Inventory
        var reloads: ReloadCounts
        var rogueServers: Int
        var now: Int64
    }

    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    /// Counters only go up: each scrape adds what changed since the last one.
    private let exported = NIOLockedValueBox<[String: Int]>([:])

    init() {
        factory = PrometheusMetricsFactory(registry: registry)
    }

    func render(_ sources: Sources) -> String {
        let dhcp = sources.dhcp
        for (type, count) in dhcp.requests { counter("netroot_dhcp_requests_total", [("type", type)], count) }
        for (type, count) in dhcp.sent { counter("netroot_dhcp_replies_total", [("type", type)], count) }
        for (reason, count) in dhcp.ignored {
            counter("netroot_dhcp_unanswered_total", [("reason", reason)], count)
        }
        counter("netroot_dhcp_malformed_total", [], dhcp.malformed.values.reduce(0, +))
        counter("netroot_dhcp_journal_failures_total", [], dhcp.journalFailures)
        gauge("netroot_dhcp_journal_healthy", [], dhcp.journalFailingSince == nil ? 1 : 0)
        let store = sources.leaseStore
        gauge("netroot_lease_store_up", [("backend", store.backend)], store.up ? 1 : 0)
        gauge("netroot_lease_store_waiting_records", [], store.waiting)
        if store.backend == "postgresql" {
            gauge("netroot_lease_store_appliances", [], store.appliances.count)
            gauge("netroot_lease_store_appliances_alive", [], store.appliances.filter(\.alive).count)
            // Rows of the database netroot skipped (it cannot read them), each counted once; serving goes on.
            gauge("netroot_lease_store_unreadable_rows", [], store.unreadableRows ?? 0)
            // Known nodes' changes the full local outbox did not keep during an outage.
            counter("netroot_lease_store_dropped_records_total", [], store.droppedRecords ?? 0)
        }

        let tftp = sources.tftp
        counter("netroot_tftp_requests_total", [], tftp.requests)
        counter("netroot_tftp_transfers_total", [("outcome", "completed")], tftp.completed)
        counter("netroot_tftp_transfers_total", [("outcome", "aborted_by_client")], tftp.aborted)
        counter("netroot_tftp_transfers_total", [("outcome", "timed_out")], tftp.timedOut)
        counter("netroot_tftp_transfers_total", [("outcome", "read_failed")], tftp.failed)
        for (reason, count) in tftp.refused { counter("netroot_tftp_refused_total", [("reason", reason)], count) }
        counter("netroot_tftp_bytes_sent_total", [], tftp.bytesSent)
        gauge("netroot_tftp_active_transfers", [], sources.activeTransfers)

        if let http = sources.httpBoot {
            for (status, count) in http.responses {
                counter("netroot_http_boot_responses_total", [("status", "\(status)")], count)
            }
            counter("netroot_http_boot_bytes_sent_total", [], http.bytesSent)
            gauge("netroot_http_boot_connections", [], http.openConnections)
        }

        let active = sources.leases.all.filter { $0.state == .bound && $0.isActive(at: sources.now) }
        for network in sources.inventory.networks {
            let here = active.filter { network.subnet.contains($0.address) }
            gauge("netroot_dhcp_leases", [("network", network.name)], here.count)
            if let pool = network.pool {
                let used = here.filter { pool.contains($0.address) }.count
                gauge("netroot_dhcp_pool_free", [("network", network.name)], pool.count - used)
            }
        }
        counter("netroot_reloads_total", [("outcome", "applied")], sources.reloads.applied)
        counter("netroot_reloads_total", [("outcome", "refused")], sources.reloads.refused)
        gauge("netroot_rogue_dhcp_servers", [], sources.rogueServers)
        gauge("netroot_nodes", [], sources.inventory.nodes.count)
        return registry.emitToString()
    }

    private func counter(_ name: String, _ labels: [(String, String)], _ value: Int) {
        let key = name + labels.map { "|\($0.0)=\($0.1)" }.joined()
        let delta = exported.withLockedValue { seen -> Int in
            defer { seen[key] = value }
            return value - (seen[key] ?? 0)
        }
        let handler = factory.makeCounter(label: name, dimensions: labels)
        if delta > 0 { handler.increment(by: Int64(delta)) }
    }

    private func gauge(_ name: String, _ labels: [(String, String)], _ value: Int) {
        factory.makeMeter(label: name, dimensions: labels).set(Int64(value))
    }
}

/// How many reloads took effect and how many were refused.
struct ReloadCounts: Sendable {
    var applied = 0
    var refused = 0
}
