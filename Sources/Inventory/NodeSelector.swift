/// Why a NODES expression selects nothing usable.
public struct NodeSelectionError: Error, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// NODES, as every command that acts on nodes takes it: names, `@group`, ranges such as `compute[01-64]` (zero
/// padding kept) or `node[1-3,7]`, separated by commas (pure).
public struct NodeSelector: Sendable {
    /// Node names in inventory order.
    public let names: [String]
    /// Each node's groups.
    public let groupsOf: [String: [String]]
    /// Every declared group, members or not.
    public let declaredGroups: [String]

    /// A range may not expand beyond this many names (`n[0-99999999]` is a typo, not a rack).
    public static let maximumExpansion = 100_000

    public init(names: [String], groupsOf: [String: [String]], declaredGroups: [String]) {
        self.names = names
        self.groupsOf = groupsOf
        self.declaredGroups = declaredGroups
    }

    /// The selected node names, each once, in the order the expression names them.
    public func select(_ expression: String) throws(NodeSelectionError) -> [String] {
        let known = Set(names)
        var selected: [String] = []
        var seen: Set<String> = []
        var unknown: [String] = []
        for term in try Self.terms(expression) {
            let candidates: [String]
            if term.hasPrefix("@") {
                candidates = try members(of: String(term.dropFirst()))
            } else {
                candidates = try Self.expand(term)
            }
            for name in candidates {
                if term.hasPrefix("@") || known.contains(name) {
                    if seen.insert(name).inserted { selected.append(name) }
                } else {
                    unknown.append(name)
                }
            }
        }
        guard unknown.isEmpty else { throw unknownNodes(unknown) }
        return selected
    }

    /// The members of `group`, in inventory order.
    private func members(of group: String) throws(NodeSelectionError) -> [String] {
        guard declaredGroups.contains(group) else {
            throw NodeSelectionError("no group '\(group)'" + Suggestion.hint(for: group, among: declaredGroups))
        }
        return names.filter { groupsOf[$0]?.contains(group) == true }
    }

    private func unknownNodes(_ unknown: [String]) -> NodeSelectionError {
        let first = unknown[0]
        let hint = Suggestion.hint(for: first, among: names)
        guard unknown.count > 1 else { return NodeSelectionError("no node '\(first)'\(hint)") }
        let shown = unknown.prefix(3).map { "'\($0)'" }.joined(separator: ", ")
        let more = unknown.count > 3 ? " and \(unknown.count - 3) more" : ""
        return NodeSelectionError("no nodes \(shown)\(more)\(hint)")
    }

    /// The comma-separated terms; commas inside brackets belong to a range (`node[1-3,7]`).
    static func terms(_ expression: String) throws(NodeSelectionError) -> [String] {
        var terms: [String] = []
        var current = ""
        var depth = 0
        for character in expression {
            switch character {
            case "[": depth += 1
            case "]": depth -= 1
            default: break
            }
            guard depth >= 0 else { throw NodeSelectionError("'\(expression)' has a ']' without its '['") }
            if character == ",", depth == 0 {
                terms.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        guard depth == 0 else { throw NodeSelectionError("'\(expression)' has a '[' without its ']'") }
        terms.append(current)
        let trimmed = terms.map { Substring($0).trimmingSpaces() }
        guard !trimmed.contains(where: \.isEmpty) else {
            throw NodeSelectionError("'\(expression)' has an empty name (two commas in a row, or one at an end)")
        }
        return trimmed
    }

    /// `compute[01-03]-ib` → compute01-ib, compute02-ib, compute03-ib; brackets may repeat (`r[1-2]n[1-2]`).
    static func expand(_ term: String) throws(NodeSelectionError) -> [String] {
        guard let open = term.firstIndex(of: "[") else { return [term] }
        guard let close = term[open...].firstIndex(of: "]") else {
            throw NodeSelectionError("'\(term)' has a '[' without its ']'")
        }
        let prefix = String(term[..<open])
        let rest = try expand(String(term[term.index(after: close)...]))
        var names: [String] = []
        for piece in term[term.index(after: open)..<close].split(separator: ",", omittingEmptySubsequences: false) {
            for number in try numbers(String(piece), in: term) {
                for suffix in rest {
                    names.append(prefix + number + suffix)
                    guard names.count <= maximumExpansion else {
                        throw NodeSelectionError("'\(term)' names more than \(maximumExpansion) nodes")
                    }
                }
            }
        }
        return names
    }

    /// `7` or `01-64`: the numbers as text, padded to the first one's width when it starts with a zero.
    private static func numbers(_ piece: String, in term: String) throws(NodeSelectionError) -> [String] {
        let bounds = piece.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let isNumber = { (text: String) in !text.isEmpty && text.count <= 9 && text.allSatisfy(\.isASCII)
            && text.allSatisfy(\.isNumber) }
        guard (1...2).contains(bounds.count), bounds.allSatisfy(isNumber), let first = Int(bounds[0]),
              let last = Int(bounds[bounds.count - 1]) else {
            throw NodeSelectionError("'\(term)': '\(piece)' is not a number or a range like 01-64")
        }
        guard first <= last else { throw NodeSelectionError("'\(term)': range \(piece) ends before it starts") }
        guard last - first < maximumExpansion else {
            throw NodeSelectionError("'\(term)' names more than \(maximumExpansion) nodes")
        }
        let width = bounds[0].hasPrefix("0") ? bounds[0].count : 0
        return (first...last).map { number in
            let digits = String(number)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
    }
}

extension Inventory {
    /// A selector over this inventory's nodes and groups.
    public var nodeSelector: NodeSelector {
        NodeSelector(names: nodes.map(\.name),
                     groupsOf: Dictionary(nodes.map { ($0.name, $0.groups) }, uniquingKeysWith: { first, _ in first }),
                     declaredGroups: groups.map(\.name))
    }

    /// The profiles NODES selects, in the order it names them.
    public func profiles(selectedBy expression: String) throws(NodeSelectionError) -> [BootProfile] {
        try nodeSelector.select(expression).compactMap { profile(named: $0) }
    }
}
