import Yams

/// Why an edit of nodes.yaml cannot be made: in its text (`InventoryDocument`), or to the file (`InventoryFileEdit`).
public struct InventoryEditError: Error, Equatable, CustomStringConvertible {
    /// Which step refused the edit.
    public enum Kind: Sendable, Equatable {
        /// The text cannot be changed so (a flow-style section, an unknown entry).
        case change
        /// The file could not be opened (to lock it), read or replaced.
        case file
        /// The file was replaced again and again while the edit waited for its lock.
        case busy
        /// The file does not validate now; `diagnostics` has every finding.
        case invalidNow
        /// The file would not validate after the edit; `diagnostics` has the errors, lines as they would be.
        case wouldBeInvalid
    }

    public let kind: Kind
    /// One line, without the program's name.
    public let description: String
    /// The findings behind `invalidNow` and `wouldBeInvalid`.
    public let diagnostics: [Diagnostic]

    public init(_ description: String, kind: Kind = .change, diagnostics: [Diagnostic] = []) {
        self.kind = kind
        self.description = description
        self.diagnostics = diagnostics
    }
}

/// A value an edit writes: one scalar, or a list (written `[a, b]`).
public enum EditValue: Equatable, Sendable {
    case text(String)
    case list([String])
}

/// nodes.yaml's text, edited in place (pure): only the lines an edit touches change, so the administrator's
/// comments, blank lines, quoting and key order elsewhere stay byte for byte. The result is not validated here;
/// callers validate the whole edited text before writing it.
public struct InventoryDocument: Sendable {
    public private(set) var text: String

    public init(text: String) { self.text = text }

    /// Adds an entry (`block`: its lines, unindented, the first `NAME:`) at the end of the top-level `section`;
    /// adds the section when the file has none.
    public mutating func appendEntry(_ block: [String], toSection section: String) throws(InventoryEditError) {
        var lines = YAMLText(text)
        let root = try Self.compose(text)
        guard let (key, value) = Self.pair(section, in: root) else {
            var appended = text
            if !appended.isEmpty, !appended.hasSuffix("\n") { appended += "\n" }
            text = appended + section + ":\n" + block.map { "  " + $0 }.joined(separator: "\n") + "\n"
            return
        }
        let keyPosition = YAMLText.position(key.location)
        switch value {
        case .mapping(let mapping) where Self.isFlow(value, lines):
            guard mapping.isEmpty else {
                throw InventoryEditError("\(section): is written in flow style ({...}); add the entry by hand")
            }
            // `nodes: {}` becomes a block mapping holding the entry.
            let start = YAMLText.position(value.location)
            let end = lines.collectionEnd(from: start) ?? start
            lines.replace(from: start, to: end, with: "")
            trimTrailingSpaces(&lines, line: start.line)
            let indent = String(repeating: " ", count: keyPosition.column + 2)
            lines.lines.insert(contentsOf: block.map { Array((indent + $0).unicodeScalars) }, at: start.line + 1)
        case .mapping(let mapping):
            let childColumn = mapping.first.map { YAMLText.position($0.key.location).column } ?? keyPosition.column + 2
            let last = mapping.map { lines.entryEnd(key: YAMLText.position($0.key.location)) }.max() ?? keyPosition.line
            let indent = String(repeating: " ", count: childColumn)
            lines.lines.insert(contentsOf: block.map { Array((indent + $0).unicodeScalars) }, at: last + 1)
        default:
            guard value.isNull else {
                throw InventoryEditError("\(section): must map names to settings; found \(value.shapeDescription)")
            }
            let indent = String(repeating: " ", count: keyPosition.column + 2)
            lines.lines.insert(contentsOf: block.map { Array((indent + $0).unicodeScalars) },
                               at: lines.entryEnd(key: keyPosition) + 1)
        }
        text = lines.text
    }

    /// Removes the entry `name` of the top-level `section`: its own lines, and nothing around them.
    public mutating func removeEntry(_ name: String, fromSection section: String) throws(InventoryEditError) {
        let root = try Self.compose(text)
        guard let (_, sectionValue) = Self.pair(section, in: root), let (key, _) = Self.pair(name, in: sectionValue) else {
            throw InventoryEditError("no \(section) entry '\(name)'")
        }
        var lines = YAMLText(text)
        guard case .mapping = sectionValue, !Self.isFlow(sectionValue, lines) else {
            throw InventoryEditError("\(section): is written in flow style ({...}); remove \(name) by hand")
        }
        let start = YAMLText.position(key.location)
        lines.lines.removeSubrange(start.line...lines.entryEnd(key: start))
        text = lines.text
    }

    /// Sets `path` (e.g. `["nodes", "compute1", "bmc", "address"]`) to `value`, or removes the key when `value` is
    /// nil. Mappings on the way that do not exist are added.
    public mutating func set(_ path: [String], to value: EditValue?) throws(InventoryEditError) {
        precondition(path.count >= 2, "a path names at least a section entry and a key")
        let root = try Self.compose(text)
        var lines = YAMLText(text)
        // Walk to the deepest existing mapping on the path.
        var parentKey: Yams.Node? = nil
        var mapping = root
        var depth = 0
        while depth < path.count - 1, let (key, child) = Self.pair(path[depth], in: mapping) {
            guard case .mapping = child else {
                if child.isNull { parentKey = key; mapping = child; depth += 1; break }
                throw InventoryEditError("\(path[...depth].joined(separator: ".")) is \(child.shapeDescription), "
                                             + "not a mapping of keys")
            }
            parentKey = key
            mapping = child
            depth += 1
        }
        let remaining = Array(path[depth...])
        if depth == path.count - 1, case .mapping = mapping, let (key, current) = Self.pair(path[depth], in: mapping) {
            try replace(key: key, value: current, in: mapping, with: value, lines: &lines)
        } else if let value {
            guard let parentKey else { throw InventoryEditError("no section '\(path[0])'") }
            try add(remaining, value: value, to: mapping, under: parentKey, lines: &lines)
        }
        // Removing a key that is not there leaves the text as it is.
        text = lines.text
    }

    // MARK: - Replacing and removing an existing key

    private func replace(key: Yams.Node, value current: Yams.Node, in mapping: Yams.Node, with value: EditValue?,
                         lines: inout YAMLText) throws(InventoryEditError) {
        guard case .mapping = mapping else { return }
        let keyStart = YAMLText.position(key.location)
        if Self.isFlow(mapping, lines) {
            let valueStart = YAMLText.position(current.location)
            let valueEnd = lines.valueEnd(from: valueStart, inFlow: true)
            if let value {
                lines.replace(from: valueStart, to: valueEnd, with: Self.render(value, inFlow: true))
            } else {
                removeFlowPair(keyStart: keyStart, valueEnd: valueEnd, lines: &lines)
            }
            return
        }
        let last = lines.entryEnd(key: keyStart)
        guard let value else {
            lines.lines.removeSubrange(keyStart.line...last)
            return
        }
        let rendered = Self.render(value, inFlow: false)
        let valueStart = YAMLText.position(current.location)
        if last == keyStart.line, valueStart.line == keyStart.line, !current.isNull {
            // One line: only the value changes; a comment after it stays.
            lines.replace(from: valueStart, to: lines.valueEnd(from: valueStart, inFlow: false), with: rendered)
            return
        }
        // A value over several lines (a block list, a nested mapping) becomes one line.
        let keyEnd = Self.keyEnd(lines, keyStart)
        var head = Array(lines.lines[keyStart.line][..<keyEnd])
        head += Array(": \(rendered)".unicodeScalars)
        lines.lines.replaceSubrange(keyStart.line...last, with: [head])
    }

    /// Removes `key: value` from a flow mapping with the comma that joined it to a neighbour.
    private func removeFlowPair(keyStart: YAMLText.Position, valueEnd: YAMLText.Position, lines: inout YAMLText) {
        var end = valueEnd
        // The comma after the pair, and the spaces after it.
        var probe: YAMLText.Position? = valueEnd
        while let current = probe, lines.character(at: current) == " " { probe = lines.after(current) }
        if let comma = probe, lines.character(at: comma) == "," {
            end = lines.after(comma) ?? comma
            while lines.character(at: end) == " ", let next = lines.after(end) { end = next }
            lines.replace(from: keyStart, to: end, with: "")
            return
        }
        // Last pair: take the comma before it instead.
        var start = keyStart
        let line = lines.lines[keyStart.line]
        var column = keyStart.column - 1
        while column >= 0, line[column] == " " { column -= 1 }
        if column >= 0, line[column] == "," { start = YAMLText.Position(line: keyStart.line, column: column) }
        lines.replace(from: start, to: end, with: "")
    }

    // MARK: - Adding a key (and the mappings on its way)

    private func add(_ path: [String], value: EditValue, to mapping: Yams.Node, under parentKey: Yams.Node,
                     lines: inout YAMLText) throws(InventoryEditError) {
        let parentStart = YAMLText.position(parentKey.location)
        if case .mapping(let existing) = mapping, Self.isFlow(mapping, lines) {
            let rendered = Self.flowPair(path, value)
            let open = YAMLText.position(mapping.location)
            guard let after = lines.collectionEnd(from: open) else { throw InventoryEditError("unclosed '{'") }
            let close = YAMLText.Position(line: after.line, column: after.column - 1)
            lines.replace(from: close, to: close, with: existing.isEmpty ? rendered : ", " + rendered)
            return
        }
        // A block mapping (or a key with no value yet): a new line after the parent's last line, indented as its
        // other keys are.
        let childColumn: Int
        let step: Int
        if case .mapping(let existing) = mapping, let first = existing.first {
            childColumn = YAMLText.position(first.key.location).column
            step = max(1, childColumn - parentStart.column)
        } else {
            step = 2
            childColumn = parentStart.column + step
            if mapping.isNull {
                // `key:` with nothing after it; a `~` or `null` there would be removed first.
                let valueStart = YAMLText.position(mapping.location)
                if valueStart.line == parentStart.line, lines.character(at: valueStart) != "\n",
                   lines.character(at: valueStart) != "#" {
                    lines.replace(from: valueStart, to: lines.valueEnd(from: valueStart, inFlow: false), with: "")
                }
            }
        }
        var block: [String] = []
        for (index, key) in path.enumerated() {
            let indent = String(repeating: " ", count: childColumn + index * step)
            block.append(index == path.count - 1 ? indent + key + ": " + Self.render(value, inFlow: false)
                                                 : indent + key + ":")
        }
        let last = lines.entryEnd(key: parentStart)
        lines.lines.insert(contentsOf: block.map { Array($0.unicodeScalars) }, at: last + 1)
    }

    /// `bmc: {address: 10.1.1.1}` for a path of two keys inside a flow mapping.
    private static func flowPair(_ path: [String], _ value: EditValue) -> String {
        guard path.count > 1 else { return path[0] + ": " + render(value, inFlow: true) }
        return path[0] + ": {" + flowPair(Array(path.dropFirst()), value) + "}"
    }

    // MARK: - Helpers

    /// A flow mapping (`{…}`) starts with its brace; a block mapping with its first key. (The parser's own style
    /// flag is not reliable: Yams reads it from the mapping's end event.)
    private static func isFlow(_ node: Yams.Node, _ lines: YAMLText) -> Bool {
        lines.character(at: YAMLText.position(node.location)) == "{"
    }

    private static func compose(_ text: String) throws(InventoryEditError) -> Yams.Node {
        do {
            return try Yams.compose(yaml: text) ?? .mapping(.init([]))
        } catch {
            throw InventoryEditError("the file is not valid YAML; fix it first (netroot check says where)")
        }
    }

    /// The key and value named `name` in a mapping (written keys only, not `<<` merges).
    private static func pair(_ name: String, in node: Yams.Node) -> (Yams.Node, Yams.Node)? {
        guard case .mapping(let mapping) = node else { return nil }
        return mapping.first { $0.key.scalar?.string == name }.map { ($0.key, $0.value) }
    }

    /// The column just after a key (its closing quote, or the last character before `:`).
    private static func keyEnd(_ lines: YAMLText, _ start: YAMLText.Position) -> Int {
        let line = lines.lines[start.line]
        if let first = lines.character(at: start), first == "\"" || first == "'" {
            return lines.valueEnd(from: start, inFlow: true).column
        }
        var column = start.column
        while column < line.count, !(line[column] == ":" && (column + 1 == line.count || line[column + 1] == " ")) {
            column += 1
        }
        return column
    }

    private func trimTrailingSpaces(_ lines: inout YAMLText, line: Int) {
        while let last = lines.lines[line].last, last == " " { lines.lines[line].removeLast() }
    }

    /// A value as YAML: plain when it reads back as the same text, else double-quoted; a list as `[a, b]`.
    static func render(_ value: EditValue, inFlow: Bool) -> String {
        switch value {
        case .text(let text): scalar(text, inFlow: inFlow)
        case .list(let items): "[" + items.map { scalar($0, inFlow: true) }.joined(separator: ", ") + "]"
        }
    }

    static func scalar(_ text: String, inFlow: Bool) -> String {
        let indicators: Set<Character> = ["-", "?", ":", ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'",
                                          "\"", "%", "@", "`"]
        let nullWords: Set<String> = ["~", "null", "Null", "NULL"]
        let plain = !text.isEmpty && !nullWords.contains(text) && !indicators.contains(text.first!)
            && text.first != " " && text.last != " " && !text.contains(": ") && !text.contains(" #")
            && !text.hasSuffix(":") && text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7f }
            && !(inFlow && text.contains(where: { [",", "[", "]", "{", "}", ":"].contains($0) }))
        if plain { return text }
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    quoted += "\\x" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    quoted.unicodeScalars.append(scalar)
                }
            }
        }
        return quoted + "\""
    }
}
