import DHCP
import Foundation
import Inventory
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresNIO
import Support

/// Leases in a PostgreSQL database that several appliances share.
///
/// One connection on a loop of its own. Commits queue while one is in flight and then go together as one
/// function call, so under load the round trip is paid per batch, not per client (group commit). Every second a
/// heartbeat records this appliance and reads its partners' (RFC 3074 shares follow from it), and rows the
/// partners wrote are handed to the DHCP table. When the database cannot be reached, known nodes' changes go to
/// a local outbox (fsynced, then acknowledged; the last change per MAC and address, bounded) that is copied to
/// the database when it returns, in chunks that each fit the heartbeat's time limit, before pool clients are
/// answered again; meanwhile pool bindings are refused: without the database nothing keeps an address from
/// going to two clients. A row the database holds that netroot cannot read is skipped, counted and logged once:
/// data is never a reason to stop serving.
public final class PostgresLeaseStore: LeaseStore, @unchecked Sendable {
    /// What the store is started with.
    public struct Configuration: Sendable {
        public var settings: LeaseStoreSettings
        /// This appliance's name in the database.
        public var appliance: String
        /// Its server address, recorded with its heartbeat.
        public var address: String
        /// Where the outbox lives.
        public var stateDirectory: String

        public init(settings: LeaseStoreSettings, appliance: String, address: String, stateDirectory: String) {
            self.settings = settings
            self.appliance = appliance
            self.address = address
            self.stateDirectory = stateDirectory
        }
    }

    /// What other threads read: published by the store's loop.
    private struct Published {
        var up = false
        var since = Date().timeIntervalSince1970
        var error: String?
        var waiting = 0
        var balance: LoadBalance
        var appliances: [ApplianceState] = []
        var unreadable = 0
        var dropped = 0
    }

    private let configuration: Configuration
    private let connectionConfiguration: PostgresConnection.Configuration
    private let database: LeaseDatabase
    private let logger: Logger
    /// Commits the database refuses come once per batch, and every client asks again: 5 lines per 10 s.
    private let throttle = LogThrottle<String>(.init(limit: 5, interval: .seconds(10), capacity: 4))
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let loop: any EventLoop
    private let published: NIOLockedValueBox<Published>
    /// Hands rows other appliances wrote (and, after a reconnect, every bound row) to the DHCP table's owner.
    private let partnerChanges = NIOLockedValueBox<(@Sendable ([LeaseUpdate]) -> Void)?>(nil)

    // Only touched on `loop`.
    private var connection: PostgresConnection?
    /// The connection is open and the outbox is being copied to it: commits still go to the outbox.
    private var draining = false
    /// The copy round of this tick, while it runs.
    private var round: OutboxCopyRound?
    /// Records copied since the connection was made, for the "reachable again" line.
    private var copiedSinceConnect = 0
    /// When the running tick began: its copy round ends early enough for the tick to end within the time limit.
    private var tickStarted = ContinuousClock.now
    /// Changes the full outbox did not keep, since start and in this outage; whether that was said.
    private var droppedTotal = 0
    private var droppedThisOutage = 0
    private let unreadableRows = UnreadableRows()
    private var queue: [(changes: [LeaseChange], promise: EventLoopPromise<LeaseCommitResult>)] = []
    private var inFlight = false
    private let outbox: LeaseOutbox
    /// The database's clock at the last heartbeat: the next poll reads partner rows from a few seconds before it.
    private var lastPoll: Double = 0
    private var ticker: RepeatedTask?
    private var tickRunning = false
    /// Heartbeats in a row that found another address in this appliance's row.
    private var namesakeSightings = 0
    private var stopped = false

    /// How far a poll looks back before the previous one: a transaction's `updated_at` is its start, so one that
    /// commits late still shows up.
    static let pollLookback: Double = 5
    /// A query not answered within this ends the connection (a database host that vanished never answers).
    static let queryTimeout: TimeAmount = .seconds(5)

    private init(configuration: Configuration, connectionConfiguration: PostgresConnection.Configuration,
                 outbox: LeaseOutbox, logger: Logger) {
        self.configuration = configuration
        self.connectionConfiguration = connectionConfiguration
        self.outbox = outbox
        self.logger = logger
        database = LeaseDatabase(logger: logger)
        loop = group.next()
        let balance = LoadBalance(members: [configuration.appliance], alive: [], this: configuration.appliance,
                                  maximumSeconds: UInt16(configuration.settings.loadBalanceMaximumSeconds))
        published = NIOLockedValueBox(Published(waiting: outbox.count, balance: balance))
    }

    /// Opens the outbox and connects. A failure no retry mends (authentication, an unknown schema version, a
    /// missing database) throws; an unreachable database does not: the store starts down and keeps trying.
    /// Returns the store and the leases the database holds (none when it is down), with the outbox's on top.
    public static func open(_ configuration: Configuration, logger: Logger) async throws
        -> (store: PostgresLeaseStore, leases: LeaseTable) {
        let connectionConfiguration: PostgresConnection.Configuration
        do {
            connectionConfiguration = try LeaseDatabase.configuration(for: configuration.settings,
                                                                      warn: { logger.warning("\($0)") })
        } catch {
            throw LeaseStoreError(description: "lease database: \(DatabaseError.describe(error))")
        }
        let outbox = try LeaseOutbox(directory: configuration.stateDirectory)
        let store = PostgresLeaseStore(configuration: configuration, connectionConfiguration: connectionConfiguration,
                                       outbox: outbox, logger: logger)
        var table = LeaseTable()
        do {
            let connection = try await PostgresConnection.connect(
                on: store.loop, configuration: connectionConfiguration, id: 1, logger: store.quietLogger).get()
            do {
                let outcome = try await store.database.prepareSchema(on: connection)
                store.logSchema(outcome)
                // At once, not a tick later: a restart must not look like silence to the partners or to
                // `leases forget`.
                let beat = try await store.database.heartbeat(appliance: configuration.appliance,
                                                             address: configuration.address, on: connection).get()
                try await store.loop.submit { store.publish(beat.appliances) }.get()
                let read = try await store.database.boundLeases(on: connection).get()
                for row in read.rows { table.apply(row.update) }
                try await store.loop.submit {
                    store.noteUnreadable(read)
                    store.attach(connection)
                    if store.outbox.isEmpty { store.markUp() }
                }.get()
            } catch {
                try? await connection.close().get()
                throw error
            }
        } catch where DatabaseError.isFatal(error) {
            try? await store.group.shutdownGracefully()
            throw LeaseStoreError(description: "lease database \(configuration.settings.url.map { "\($0)" } ?? ""): "
                                      + DatabaseError.describe(error))
        } catch {
            let reason = DatabaseError.describe(error)
            let message = "lease database unreachable at start: \(reason); known nodes are answered (their leases "
                + "wait in \(outbox.path)), pool clients are not until it returns"
            logger.error("\(message)")
            store.published.withLockedValue { $0.error = reason }
        }
        // What the outbox holds is newer than the database's rows: the first heartbeats copy it there, and pool
        // clients are answered once it is all there.
        for change in outbox.pending { table.apply(change.update) }
        store.loop.execute { store.startTicking() }
        return (store, table)
    }

    /// Where rows written by other appliances go; set once before serving.
    public func onPartnerChanges(_ deliver: @escaping @Sendable ([LeaseUpdate]) -> Void) {
        partnerChanges.withLockedValue { $0 = deliver }
    }

    /// Ends the heartbeat and closes the connection; commits in flight finish first.
    public func stop() async {
        // Forgotten before it closes, so its close is not taken for the database going away.
        let open = try? await loop.submit { [self] () -> PostgresConnection? in
            stopped = true
            ticker?.cancel()
            defer { connection = nil }
            return connection
        }.get()
        if let open = open ?? nil { try? await open.close().get() }
        try? await group.shutdownGracefully()
    }

    // MARK: LeaseStore

    public func commit(_ changes: [LeaseChange], on callerLoop: any EventLoop) -> EventLoopFuture<LeaseCommitResult> {
        let promise = callerLoop.makePromise(of: LeaseCommitResult.self)
        loop.execute { [self] in
            queue.append((changes, promise))
            pump()
        }
        return promise.futureResult
    }

    public var poolAvailable: Bool { published.withLockedValue { $0.up } }

    public var loadBalance: LoadBalance? {
        published.withLockedValue { $0.up && $0.balance.isShared ? $0.balance : nil }
    }

    public var health: LeaseStoreHealth {
        let state = published.withLockedValue { $0 }
        return LeaseStoreHealth(backend: "postgresql", location: configuration.settings.url.map { "\($0)" } ?? "",
                                up: state.up, since: state.since, error: state.error, waiting: state.waiting,
                                appliances: state.appliances, unreadableRows: state.unreadable,
                                droppedRecords: state.dropped)
    }

    // MARK: commits (on loop)

    /// Sends everything queued as one transaction, unless one is in flight (then it goes when that one ends).
    private func pump() {
        guard !inFlight, !queue.isEmpty else { return }
        let jobs = queue
        queue.removeAll(keepingCapacity: true)
        let changes = jobs.flatMap(\.changes)
        guard let connection, !draining else {
            commitLocally(jobs)
            return
        }
        inFlight = true
        let timeout = loop.scheduleTask(in: Self.queryTimeout) { [self] in
            lost(connection, because: "no answer to a commit within \(Self.queryTimeout.nanoseconds / 1_000_000_000) s")
        }
        database.commit(changes, appliance: configuration.appliance, on: connection).hop(to: loop)
            .whenComplete { [self] result in
                timeout.cancel()
                inFlight = false
                switch result {
                case .success(let refused):
                    var offset = 0
                    for job in jobs {
                        var mine: [Int: LeaseCommitResult.Refusal] = [:]
                        for index in job.changes.indices { mine[index] = refused[offset + index] }
                        offset += job.changes.count
                        job.promise.succeed(LeaseCommitResult(refused: mine))
                    }
                case .failure(let error):
                    // Nothing is acknowledged; the clients ask again. A statement the server refused (a deadlock
                    // with a partner's commit) rolled back and leaves the connection usable; anything else may
                    // have lost it, and whether it committed is unknown.
                    let reason = DatabaseError.describe(error)
                    for job in jobs { job.promise.fail(LeaseStoreError(description: "lease database: \(reason)")) }
                    if DatabaseError.isStatementFailure(error) {
                        throttle.log(.warning, "lease database refused a commit of \(changes.count) change(s): \(reason)",
                                     key: "lease database refused a commit", to: logger)
                    } else {
                        lost(connection, because: reason)
                    }
                }
                pump()
            }
    }

    /// The database is away: known nodes' changes and releases go to the outbox; pool bindings are refused.
    private func commitLocally(_ jobs: [(changes: [LeaseChange], promise: EventLoopPromise<LeaseCommitResult>)]) {
        var kept: [LeaseChange] = []
        var results: [LeaseCommitResult] = []
        for job in jobs {
            var result = LeaseCommitResult()
            for (index, change) in job.changes.enumerated() {
                if case .bind = change.update, change.node == nil {
                    result.refused[index] = .storeUnavailable
                } else {
                    kept.append(change)
                }
            }
            results.append(result)
        }
        let dropped: Int
        do {
            dropped = try outbox.append(kept)
        } catch {
            for job in jobs { job.promise.fail(error) }
            return
        }
        if dropped > 0 {
            if droppedThisOutage == 0 {
                let message = "lease outbox \(outbox.path) is full (\(outbox.capacity) clients' changes wait for the "
                    + "database): changes of further clients made while the database is away are not kept and will "
                    + "be missing from it; known nodes are still answered from the inventory, and the changes kept "
                    + "are copied to the database when it returns"
                logger.error("\(message)")
            }
            droppedThisOutage += dropped
            droppedTotal += dropped
        }
        published.withLockedValue { state in
            state.waiting = outbox.count
            state.dropped = droppedTotal
        }
        for (job, result) in zip(jobs, results) { job.promise.succeed(result) }
    }

    // MARK: connection (on loop)

    /// Takes an open connection: commits go to it once the outbox is copied (`markUp`); until then they go to
    /// the outbox, after what waits there.
    private func attach(_ connection: PostgresConnection) {
        self.connection = connection
        draining = true
        copiedSinceConnect = 0
        connection.closeFuture.hop(to: loop).whenComplete { [self] _ in
            lost(connection, because: "the server closed the connection")
        }
        if !outbox.isEmpty {
            published.withLockedValue { state in
                state.error = "reachable again; copying the \(outbox.count) lease record(s) journaled meanwhile to it "
                    + "first"
            }
        }
    }

    /// The outbox is in the database: commits go there, pool clients are answered.
    private func markUp() {
        draining = false
        published.withLockedValue { state in
            state.up = true
            state.since = Date().timeIntervalSince1970
            state.error = nil
            state.waiting = outbox.count
        }
    }

    /// Forgets a connection that failed (once), and says so.
    private func lost(_ failed: PostgresConnection, because reason: String) {
        guard connection === failed else { return }
        connection = nil
        draining = false
        failed.close().whenComplete { _ in }
        published.withLockedValue { state in
            state.up = false
            state.since = Date().timeIntervalSince1970
            state.error = reason
        }
        let message = "lease database unreachable: \(reason); known nodes are still answered (their leases wait in "
            + "\(outbox.path)), pool clients are not until it returns"
        logger.error("\(message)")
    }

    private func startTicking() {
        ticker = loop.scheduleRepeatedTask(initialDelay: .zero, delay: .seconds(1)) { [self] _ in tick() }
    }

    /// Once a second: reconnect, or heartbeat and read the partners' new rows.
    private func tick() {
        throttle.flush(to: logger)
        guard !stopped, !tickRunning else { return }
        tickRunning = true
        tickStarted = .now
        let work: EventLoopFuture<Void>
        if let connection {
            // While the outbox is copied back the heartbeat goes on: partners must not take this appliance's share
            // (nor `leases forget` its row) because its copy-back takes longer than heartbeat_timeout.
            work = draining ? beat(connection).flatMap { [self] in drain(connection) } : refresh(connection)
        } else {
            work = reconnect()
        }
        let timeout = loop.scheduleTask(in: Self.queryTimeout) { [self] in
            if let connection { lost(connection, because: "no answer to the heartbeat within 5 s") }
        }
        work.hop(to: loop).whenComplete { [self] _ in
            timeout.cancel()
            tickRunning = false
        }
    }

    /// Connects, checks (creates, upgrades) the schema, and starts copying the outbox: pool clients are answered
    /// again once it is all in the database (`drain`).
    private func reconnect() -> EventLoopFuture<Void> {
        PostgresConnection.connect(on: loop, configuration: connectionConfiguration, id: 1, logger: quietLogger)
            .flatMap { [self] connection in
                loop.makeFutureWithTask { [self] in try await database.prepareSchema(on: connection) }
                    .map { outcome in (connection, outcome) }
                    .flatMapError { error in connection.close().flatMapThrowing { throw error } }
            }
            .hop(to: loop)
            .flatMap { [self] (connection: PostgresConnection, outcome: LeaseDatabase.SchemaOutcome) in
                logSchema(outcome)
                attach(connection)
                return beat(connection).flatMap { [self] in drain(connection) }
            }
            .flatMapErrorThrowing { [self] error in
                let reason = DatabaseError.describe(error)
                published.withLockedValue { $0.error = reason }
                if DatabaseError.isFatal(error) {
                    throttle.log(.error, "lease database refuses netroot: \(reason)", key: "lease database refuses netroot",
                                 to: logger)
                } else {
                    logger.debug("lease database still unreachable: \(reason)")
                }
            }
    }

    /// One round of copying the outbox to the database (chunks, one transaction each, while the tick's time
    /// lasts); once it is empty, a full resync and pool service again. A failure ends the connection, keeping
    /// what was copied.
    private func drain(_ connection: PostgresConnection) -> EventLoopFuture<Void> {
        round = OutboxCopyRound(outbox: outbox, start: tickStarted)
        return copyChunks(over: connection)
            .flatMap { [self] (_: Void) -> EventLoopFuture<Void> in
                endRound()
                guard outbox.isEmpty else { return loop.makeSucceededVoidFuture() }
                return database.boundLeases(on: connection).hop(to: loop).map { [self] rows in
                    guard self.connection === connection else { return }
                    markUp()
                    deliver(rows)
                    var message = "lease database reachable again; \(copiedSinceConnect) journaled lease record(s) "
                        + "copied to it; pool clients are answered again"
                    if droppedThisOutage > 0 {
                        message += "; \(droppedThisOutage) change(s) were not kept while the outbox was full"
                    }
                    droppedThisOutage = 0
                    logger.notice("\(message)")
                }
            }
            .flatMapErrorThrowing { [self] error in
                endRound()
                lost(connection, because: DatabaseError.describe(error))
            }
    }

    /// Commits the round's next chunk, and the next, until the round says it is over.
    private func copyChunks(over connection: PostgresConnection) -> EventLoopFuture<Void> {
        guard let chunk = round?.next(now: .now) else { return loop.makeSucceededVoidFuture() }
        return database.commit(chunk, appliance: configuration.appliance, on: connection).hop(to: loop)
            .flatMap { [self] _ in
                round?.committed()
                return copyChunks(over: connection)
            }
    }

    /// Writes the outbox down without what the round copied.
    private func endRound() {
        guard let finished = round else { return }
        round = nil
        copiedSinceConnect += finished.copied
        do { try finished.finish() } catch {
            logger.error("lease outbox: \(error) (records already copied may be copied again)")
        }
        published.withLockedValue { $0.waiting = outbox.count }
    }

    /// Says what the schema check did when it changed something.
    private func logSchema(_ outcome: LeaseDatabase.SchemaOutcome) {
        switch outcome {
        case .created, .upgraded:
            let message = "lease database \(configuration.settings.url.map { "\($0)" } ?? ""): "
                + LeaseDatabaseAdmin.describe(outcome)
            logger.notice("\(message)")
        case .current, .older: break
        }
    }

    /// The heartbeat alone (no partner rows): what a tick of the copy-back does first.
    private func beat(_ connection: PostgresConnection) -> EventLoopFuture<Void> {
        database.heartbeat(appliance: configuration.appliance, address: configuration.address, on: connection)
            .hop(to: loop)
            .map { [self] beat in publish(beat.appliances) }
            .flatMapError { [self] error in
                lost(connection, because: DatabaseError.describe(error))
                return loop.makeFailedFuture(error)
            }
    }

    private func refresh(_ connection: PostgresConnection) -> EventLoopFuture<Void> {
        let since = max(0, lastPoll - Self.pollLookback)
        // The outbox is empty here: it is copied before the store is up, and only filled while it is not.
        return database.heartbeat(appliance: configuration.appliance, address: configuration.address, on: connection)
            .flatMap { [self] beat in
                database.partnerChanges(since: since, appliance: configuration.appliance, on: connection)
                    .map { (beat, $0) }
            }
            .hop(to: loop)
            .map { [self] (beat: (appliances: [(name: String, address: String, age: Double)], now: Double),
                           rows: LeaseRows) in
                publish(beat.appliances)
                deliver(rows)
                lastPoll = beat.now
            }
            .flatMapErrorThrowing { [self] error in lost(connection, because: DatabaseError.describe(error)) }
    }

    /// Hands the rows read to the DHCP table; those netroot cannot read are skipped, counted and logged once.
    private func deliver(_ read: LeaseRows) {
        noteUnreadable(read)
        guard !read.rows.isEmpty else { return }
        partnerChanges.withLockedValue { $0 }?(read.rows.map(\.update))
    }

    private func noteUnreadable(_ read: LeaseRows) {
        guard !read.unreadable.isEmpty || unreadableRows.count > 0 else { return }
        for line in unreadableRows.note(read) { logger.warning("\(line)") }
        let count = unreadableRows.count
        published.withLockedValue { $0.unreadable = count }
    }

    /// The appliances' liveness and the share this one answers, with a log line when either changes.
    private func publish(_ rows: [(name: String, address: String, age: Double)]) {
        let timeout = Double(configuration.settings.heartbeatTimeout)
        let me = configuration.appliance
        noticeNamesake(in: rows, timeout: timeout)
        var appliances = rows.map { row in
            ApplianceState(name: row.name, address: row.address.isEmpty ? nil : row.address,
                           alive: row.name == me || row.age < timeout, heartbeatAge: max(0, row.age), this: row.name == me)
        }
        if let index = appliances.firstIndex(where: \.this) {
            appliances[index].address = configuration.address
            appliances[index].heartbeatAge = 0
        } else {
            appliances.append(ApplianceState(name: me, address: configuration.address, alive: true, heartbeatAge: 0,
                                             this: true))
            appliances.sort { $0.name < $1.name }
        }
        let balance = LoadBalance(members: appliances.map(\.name), alive: Set(appliances.filter(\.alive).map(\.name)),
                                  this: me, maximumSeconds: UInt16(configuration.settings.loadBalanceMaximumSeconds))
        let previous = published.withLockedValue { state in
            defer {
                state.balance = balance
                state.appliances = appliances
            }
            return state.balance
        }
        if previous != balance {
            let down = balance.members.filter { !balance.alive.contains($0) }
            let silent = down.isEmpty ? "" : "; silent for \(Int(timeout)) s or more: \(down.joined(separator: ", ")) "
                + "(its share is answered by the others)"
            let message = "appliances sharing the lease database: \(balance.members.joined(separator: ", "))"
                + silent + "; this one answers \(balance.bucketCount) of 256 shares"
            logger.notice("\(message)")
        }
    }

    /// Two heartbeats in a row found this appliance's row last written, within the timeout, from another address:
    /// another appliance uses the same name, and both answer the same share. Said once, until it stops.
    private func noticeNamesake(in rows: [(name: String, address: String, age: Double)], timeout: Double) {
        let other = rows.first { $0.name == configuration.appliance && $0.address != configuration.address
            && !$0.address.isEmpty && $0.age < timeout }
        guard let other else {
            namesakeSightings = 0
            return
        }
        namesakeSightings += 1
        if namesakeSightings == 2 {
            let message = "another appliance (\(other.address)) also calls itself '\(configuration.appliance)' in the "
                + "lease database: give each its own server.leases.name; until then both answer the same share"
            logger.error("\(message)")
        }
    }

    /// postgres-nio logs every connection failure at error level; the store says it once, in its own words.
    private var quietLogger: Logger {
        var quiet = logger
        quiet.logLevel = .critical
        return quiet
    }
}
