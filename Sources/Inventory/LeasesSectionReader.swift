import Yams

/// Reads `server.leases`: the lease store, and for PostgreSQL the database and how appliances share it.
struct LeasesSectionReader {
    let collector: DiagnosticCollector
    let baseDirectory: String
    let fileExists: (String) -> Bool
    let secrets: SecretFileCheck

    static let keys = ["backend", "url", "password_file", "tls", "tls_ca_file", "name", "heartbeat_timeout",
                       "load_balance_max_seconds"]
    /// Keys that mean nothing to the journal.
    static let databaseKeys = ["url", "password_file", "tls", "tls_ca_file", "name", "heartbeat_timeout",
                               "load_balance_max_seconds"]

    func read(_ node: Yams.Node, ownerLocation: SourceLocation) -> LeaseStoreSettings? {
        guard let fields = collector.fields(of: node, subject: "server.leases", ownerLocation: ownerLocation,
                                            allowed: Self.keys, emptyAllowed: false) else { return nil }
        var settings = LeaseStoreSettings()
        if let backend = collector.parsed("backend", in: fields, expected: "journal or postgresql", {
            LeaseStoreSettings.Backend(rawValue: $0.lowercased())
        }) {
            settings.backend = backend.value
        } else if fields["backend"] == nil {
            collector.error(at: ownerLocation, "server.leases", "missing required key 'backend' (journal or postgresql)")
            return nil
        } else {
            return nil
        }
        guard settings.backend == .postgresql else {
            for key in Self.databaseKeys where fields[key] != nil {
                collector.warning(at: fields.entries[key]!.key.location, "server.leases",
                                  "\(key) is ignored: the journal backend has no database")
            }
            return settings
        }
        var valid = true
        if !collector.require("url", in: fields) { valid = false }
        if let text = collector.string("url", in: fields) {
            switch DatabaseURL.parse(text.value) {
            case .success(let url):
                settings.url = url
                if url.password != nil {
                    collector.warning(at: text.location, "server.leases", "the url holds a password; "
                                          + "password_file keeps it out of nodes.yaml")
                }
            case .failure(let why):
                collector.error(at: text.location, "server.leases", "invalid url '\(text.value)': \(why)")
                valid = false
            }
        }
        if let file = collector.path("password_file", in: fields, base: baseDirectory) {
            settings.passwordFile = file.value
            if !secrets.exists(file.value) {
                collector.error(at: file.location, "server.leases", "password_file \(file.value) does not exist")
                valid = false
            } else if let warning = secrets.warning(file.value) {
                collector.warning(at: file.location, "server.leases", "password_file \(warning)")
            }
        }
        if let tls = collector.parsed("tls", in: fields, expected: "disable, prefer, require or verify-full", {
            LeaseStoreSettings.TLSMode(rawValue: $0.lowercased())
        }) {
            settings.tls = tls.value
        } else if let mode = settings.url?.sslMode {
            settings.tls = mode
        }
        if let ca = collector.path("tls_ca_file", in: fields, base: baseDirectory) {
            settings.tlsCAFile = ca.value
            if !fileExists(ca.value) {
                collector.error(at: ca.location, "server.leases", "tls_ca_file \(ca.value) does not exist")
                valid = false
            }
        }
        if case .unixSocket = settings.url?.endpoint {
            if let mode = settings.tls, mode != .disable, let tls = fields.entries["tls"] {
                collector.warning(at: tls.key.location, "server.leases", "tls \(mode.rawValue) is ignored over a Unix socket")
            }
        } else if settings.url != nil, let mode = settings.tls, mode != .verifyFull {
            // Over TCP only verify-full proves the server is the database; the default is verify-full.
            let place = fields.entries["tls"]?.key.location ?? fields.entries["url"]?.key.location ?? ownerLocation
            let words = mode == .disable
                ? "tls disable sends the password and every lease over the network in clear text to whichever "
                    + "server answers; use verify-full (the default over TCP; tls_ca_file for a private CA)"
                : "tls \(mode.rawValue) \(mode == .prefer ? "encrypts only when the server offers it, and" : "encrypts but")"
                    + " does not verify the server's certificate: whoever can intercept the connection can pose "
                    + "as the database and see every lease; use verify-full (the default over TCP; tls_ca_file "
                    + "for a private CA)"
            collector.warning(at: place, "server.leases", words)
        }
        if let name = collector.oneLine("name", in: fields, place: "an appliance name is one line") {
            if name.value.isEmpty || name.value.count > 64 {
                collector.error(at: name.location, "server.leases", "name must be 1 to 64 characters long")
                valid = false
            } else {
                settings.name = name.value
            }
        }
        if let timeout = collector.parsed("heartbeat_timeout", in: fields,
                                          expected: "a duration from 2s to 1h like 10s", Self.parseHeartbeatTimeout) {
            settings.heartbeatTimeout = timeout.value
        }
        if let seconds = collector.parsed("load_balance_max_seconds", in: fields,
                                          expected: "a whole number of seconds from 0 to 255 (0: never)", {
            Int($0).flatMap { (0...255).contains($0) ? $0 : nil }
        }) {
            settings.loadBalanceMaximumSeconds = seconds.value
        }
        return valid ? settings : nil
    }

    /// At least two heartbeats (one a second) must fit in it, or a single late one would look like a death.
    private static func parseHeartbeatTimeout(_ text: String) -> Int? {
        guard let duration = LeaseDuration(text), duration != .infinite, (2...3600).contains(duration.seconds) else {
            return nil
        }
        return Int(duration.seconds)
    }
}
