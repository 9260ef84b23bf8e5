import Support
import Yams

/// A `bmc:` mapping as read, with where each key was written (for checks across node and groups).
struct BMCEntry {
    var settings: BMCSettings
    /// By key name, e.g. `system`.
    var keyLocations: [String: SourceLocation]
}

/// Reads the `bmc:` key of a node or a group. Paths (`password_file`, `tls_ca`) are relative to the inventory;
/// a password file others can read is a warning, as is an inline password in an inventory others can read.
struct BMCReader {
    let collector: DiagnosticCollector
    let baseDirectory: String
    let fileExists: (String) -> Bool
    /// The permission bits of a file, nil when it cannot be examined.
    let fileMode: (String) -> UInt32?
    let secrets: SecretFileCheck

    static let keys = ["address", "port", "protocol", "username", "password_file", "password", "system", "tls_ca",
                       "insecure"]
    /// Keys only a Redfish BMC has.
    static let redfishKeys = ["system", "tls_ca", "insecure"]

    func read(_ fields: Fields) -> BMCEntry? {
        guard let node = fields["bmc"], let owner = fields.entries["bmc"]?.key.location,
              let bmc = collector.fields(of: node, subject: fields.subject, ownerLocation: owner, allowed: Self.keys,
                                         emptyAllowed: false) else { return nil }
        var settings = BMCSettings()
        var locations: [String: SourceLocation] = [:]
        for key in Self.keys { if let location = bmc.entries[key]?.key.location { locations[key] = location } }

        settings.address = parsed("address", bmc, expected: "an IPv4 address or a host name like bmc-compute1") {
            IPv4Address($0) != nil || Names.isDomainName($0) ? $0 : nil
        }
        settings.port = parsed("port", bmc, expected: "a port from 1 to 65535") { text in
            Int(text).flatMap { (1...65535).contains($0) ? $0 : nil }
        }
        settings.protocol = readProtocol(bmc)
        settings.username = collector.oneLine("username", in: bmc, place: "a BMC user name is one line")?.value
        if let file = collector.path("password_file", in: bmc, base: baseDirectory) {
            settings.password = .file(file.value)
            checkPasswordFile(file, subject: bmc.subject)
        }
        if let password = collector.oneLine("password", in: bmc, place: "a BMC password is one line") {
            if let fileKey = locations["password_file"] {
                let later = max(fileKey, locations["password"]!)
                collector.error(at: later, bmc.subject, "bmc has both password and password_file; give one "
                                    + "(password_file keeps the password out of nodes.yaml)")
            }
            settings.password = .inline(Secret(password.value))
            checkInventoryMode(password.location, subject: bmc.subject)
        }
        settings.system = parsed("system", bmc, expected: "a Redfish path like /redfish/v1/Systems/1") {
            $0.hasPrefix("/") && !$0.contains(where: \.isWhitespace) ? $0 : nil
        }
        if let ca = collector.path("tls_ca", in: bmc, base: baseDirectory) {
            settings.tlsCA = ca.value
            if !fileExists(ca.value) {
                collector.warning(at: ca.location, bmc.subject, "bmc.tls_ca \(ca.value) does not exist")
            }
        }
        settings.insecure = parsed("insecure", bmc, expected: "true or false", parseBool)
        if settings.tlsCA != nil, settings.insecure == true, let insecure = locations["insecure"],
           let ca = locations["tls_ca"] {
            collector.error(at: max(insecure, ca), bmc.subject, "bmc has both tls_ca and insecure: true; give tls_ca "
                                + "to verify the BMC's certificate, or insecure: true not to")
        }
        return BMCEntry(settings: settings, keyLocations: locations)
    }

    /// Messages name the key as `bmc.KEY`, the way `nodes set` and the README write it.
    private func parsed<Value>(_ key: String, _ fields: Fields, expected: String,
                               _ parse: (String) -> Value?) -> Value? {
        guard let text = collector.string(key, in: fields) else { return nil }
        guard let value = parse(text.value) else {
            collector.error(at: text.location, fields.subject,
                            "invalid bmc.\(key) '\(text.value)' (expected \(expected))")
            return nil
        }
        return value
    }

    private func readProtocol(_ fields: Fields) -> BMCProtocol? {
        guard let text = collector.string("protocol", in: fields) else { return nil }
        if let value = BMCProtocol(rawValue: text.value.lowercased()) { return value }
        let names = BMCProtocol.allCases.map(\.rawValue)
        collector.error(at: text.location, fields.subject, "invalid bmc.protocol '\(text.value)' (expected "
                            + names.joined(separator: " or ") + ")" + Suggestion.hint(for: text.value, among: names))
        return nil
    }


    private func checkPasswordFile(_ file: Located<String>, subject: String?) {
        guard secrets.exists(file.value) else {
            collector.warning(at: file.location, subject, "bmc.password_file \(file.value) does not exist")
            return
        }
        if let warning = secrets.warning(file.value) {
            collector.warning(at: file.location, subject, "bmc.password_file \(warning)")
        }
    }

    /// An inline password is as private as the inventory file holding it.
    private func checkInventoryMode(_ location: SourceLocation, subject: String?) {
        guard let mode = fileMode(collector.file), let readers = Self.otherReaders(mode) else { return }
        collector.warning(at: location, subject, "bmc.password is written in \(collector.file), which is readable by "
                              + "\(readers) (mode \(Self.octal(mode))); use password_file, or chmod 600 the inventory")
    }

    /// `group and others`, `others`, `group`; nil when only the owner can read (the secret files' rule).
    static func otherReaders(_ mode: UInt32) -> String? { SecretFileWarning.readers(mode) }

    static func octal(_ mode: UInt32) -> String { SecretFileWarning.octal(mode) }
}
