import Yams

/// A value read from the file with the place it was written.
struct Located<Value> {
    var value: Value
    var location: SourceLocation
}

/// The keys of one YAML mapping, checked against the keys its section allows.
struct Fields {
    /// Whom messages about these fields name, e.g. `node compute1`.
    let subject: String?
    /// Where a missing key is reported: the key that owns this mapping.
    let ownerLocation: SourceLocation
    private(set) var entries: [String: (key: Yams.Node, value: Yams.Node)] = [:]

    init(subject: String?, ownerLocation: SourceLocation) {
        self.subject = subject
        self.ownerLocation = ownerLocation
    }

    subscript(key: String) -> Yams.Node? { entries[key]?.value }

    mutating func add(_ key: String, keyNode: Yams.Node, value: Yams.Node) {
        entries[key] = (keyNode, value)
    }
}

/// Walks the composed YAML tree and collects every finding instead of stopping at the first.
final class DiagnosticCollector {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

    func error(at location: SourceLocation, _ subject: String?, _ message: String) {
        diagnostics.append(Diagnostic(severity: .error, file: file, location: location, subject: subject,
                                      message: message))
    }

    func warning(at location: SourceLocation, _ subject: String?, _ message: String) {
        diagnostics.append(Diagnostic(severity: .warning, file: file, location: location, subject: subject,
                                      message: message))
    }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Errors and warnings in file order, so the output reads top to bottom.
    var sorted: [Diagnostic] {
        diagnostics.enumerated().sorted { lhs, rhs in
            lhs.element.location == rhs.element.location
                ? lhs.offset < rhs.offset : lhs.element.location < rhs.element.location
        }.map(\.element)
    }
}

extension Yams.Node {
    var location: SourceLocation {
        guard let mark else { return SourceLocation(line: 1, column: 1) }
        return SourceLocation(line: mark.line, column: mark.column)
    }

    /// An unquoted empty value, `~` or `null`.
    var isNull: Bool { scalar.map { $0.style == .plain && self.null != nil } ?? false }

    /// How the node reads in a message: `a list`, `a mapping`, `'text'`.
    var shapeDescription: String {
        switch self {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let scalar): isNull ? "nothing" : "'\(scalar.string)'"
        case .alias: "an alias"
        }
    }
}

extension DiagnosticCollector {
    /// The mapping's keys, each checked against `allowed`; nil when the node is not a mapping.
    ///
    /// `misplaced` maps keys that belong elsewhere to a hint saying where, so `mac:` in a group says so.
    func fields(of node: Yams.Node, subject: String?, ownerLocation: SourceLocation, allowed: [String],
                misplaced: [String: String] = [:], emptyAllowed: Bool = true) -> Fields? {
        var fields = Fields(subject: subject, ownerLocation: ownerLocation)
        if node.isNull {
            if !emptyAllowed { error(at: ownerLocation, subject, "has no settings; expected a mapping of keys") }
            return emptyAllowed ? fields : nil
        }
        guard case .mapping(let mapping) = node else {
            error(at: node.location, subject, "expected a mapping of keys, found \(node.shapeDescription)")
            return nil
        }
        var explicit: [(String, Yams.Node, Yams.Node)] = []
        var merged: [(String, Yams.Node, Yams.Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                error(at: keyNode.location, subject, "keys must be plain names, found \(keyNode.shapeDescription)")
                continue
            }
            if key == "<<" {
                merged += mergedPairs(value, subject: subject)
            } else {
                explicit.append((key, keyNode, value))
            }
        }
        // YAML merge keys (`<<: *defaults`) fill in what the mapping does not set itself.
        let explicitKeys = Set(explicit.map(\.0))
        for (key, keyNode, value) in explicit + merged.filter({ !explicitKeys.contains($0.0) }) {
            guard allowed.contains(key) else {
                if let hint = misplaced[key] {
                    error(at: keyNode.location, subject, "key '\(key)' is not allowed here; \(hint)")
                } else {
                    error(at: keyNode.location, subject,
                          "unknown key '\(key)'\(Suggestion.hint(for: key, among: allowed))")
                }
                continue
            }
            if fields[key] == nil { fields.add(key, keyNode: keyNode, value: value) }
        }
        return fields
    }

    private func mergedPairs(_ value: Yams.Node, subject: String?) -> [(String, Yams.Node, Yams.Node)] {
        let sources: [Yams.Node]
        switch value {
        case .mapping: sources = [value]
        case .sequence(let sequence): sources = Array(sequence)
        default:
            error(at: value.location, subject, "a merge key '<<' needs a mapping or a list of mappings")
            return []
        }
        var pairs: [(String, Yams.Node, Yams.Node)] = []
        for source in sources {
            guard case .mapping(let mapping) = source else {
                error(at: source.location, subject, "a merge key '<<' needs a mapping or a list of mappings")
                continue
            }
            for (keyNode, value) in mapping {
                if let key = keyNode.scalar?.string, !pairs.contains(where: { $0.0 == key }) {
                    pairs.append((key, keyNode, value))
                }
            }
        }
        return pairs
    }

    /// Reports a required key that is absent; true when present.
    @discardableResult
    func require(_ key: String, in fields: Fields) -> Bool {
        guard fields[key] == nil else { return true }
        error(at: fields.ownerLocation, fields.subject, "missing required key '\(key)'")
        return false
    }

    /// A scalar value as text; nil (and a finding) for a list, a mapping or an empty value.
    func string(_ key: String, in fields: Fields) -> Located<String>? {
        guard let node = fields[key] else { return nil }
        return scalarText(node, key: key, subject: fields.subject)
    }

    func scalarText(_ node: Yams.Node, key: String, subject: String?) -> Located<String>? {
        guard let scalar = node.scalar else {
            error(at: node.location, subject, "'\(key)' must be a single value, found \(node.shapeDescription)")
            return nil
        }
        if node.isNull {
            error(at: node.location, subject, "'\(key)' has no value")
            return nil
        }
        return Located(value: scalar.string, location: node.location)
    }

    /// A list of scalars; a single scalar counts as a list of one.
    func strings(_ key: String, in fields: Fields) -> [Located<String>]? {
        guard let node = fields[key] else { return nil }
        if case .sequence(let sequence) = node {
            return sequence.compactMap { scalarText($0, key: key, subject: fields.subject) }
        }
        return scalarText(node, key: key, subject: fields.subject).map { [$0] }
    }

    /// A value parsed by `parse`; `expected` completes "invalid KEY 'x' (expected …)".
    /// `boot: pxelinux | ipxe | grub` of an image, group or node.
    func bootMethod(in fields: Fields) -> Located<BootMethod>? {
        parsed("boot", in: fields, expected: "pxelinux, ipxe or grub") { BootMethod(rawValue: $0.lowercased()) }
    }

    /// `secure_boot: true | false` of an image, group or node.
    func secureBoot(in fields: Fields) -> Located<Bool>? {
        parsed("secure_boot", in: fields, expected: "true or false", parseBool)
    }

    /// Where `boot:` and `secure_boot:` were read.
    func bootKeys(_ boot: Located<BootMethod>?, _ secureBoot: Located<Bool>?) -> BootKeyLocations {
        BootKeyLocations(boot: boot?.location, secureBoot: secureBoot?.location)
    }

    func parsed<Value>(_ key: String, in fields: Fields, expected: String,
                       _ parse: (String) -> Value?) -> Located<Value>? {
        guard let text = string(key, in: fields) else { return nil }
        guard let value = parse(text.value) else {
            error(at: text.location, fields.subject, "invalid \(key) '\(text.value)' (expected \(expected))")
            return nil
        }
        return Located(value: value, location: text.location)
    }

    /// The entries of a section such as `nodes:`: names mapped to settings. Empty or absent is fine.
    func namedEntries(_ node: Yams.Node?, section: String) -> [(name: Located<String>, value: Yams.Node)] {
        guard let node, !node.isNull else { return [] }
        guard case .mapping(let mapping) = node else {
            error(at: node.location, nil,
                  "'\(section)' must map names to settings, found \(node.shapeDescription)")
            return []
        }
        var entries: [(name: Located<String>, value: Yams.Node)] = []
        entries.reserveCapacity(mapping.count)
        for (keyNode, value) in mapping {
            guard let name = keyNode.scalar?.string, !keyNode.isNull else {
                error(at: keyNode.location, nil, "'\(section)' entries need a name, found \(keyNode.shapeDescription)")
                continue
            }
            entries.append((Located(value: name, location: keyNode.location), value))
        }
        return entries
    }
}
