/// nodes.yaml as lines of Unicode scalars (libyaml counts columns in scalars), with the scanning an edit needs
/// to find where a value written in the file ends (pure).
struct YAMLText {
    /// A place in the text, 0-based.
    struct Position: Comparable {
        var line: Int
        var column: Int

        static func < (lhs: Position, rhs: Position) -> Bool { (lhs.line, lhs.column) < (rhs.line, rhs.column) }
    }

    var lines: [[Unicode.Scalar]]

    init(_ text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
    }

    var text: String {
        var result = ""
        for (index, line) in lines.enumerated() {
            if index > 0 { result.unicodeScalars.append("\n") }
            result.unicodeScalars.append(contentsOf: line)
        }
        return result
    }

    /// The position of a 1-based location from the parser.
    static func position(_ location: SourceLocation) -> Position {
        Position(line: location.line - 1, column: location.column - 1)
    }

    func character(at position: Position) -> Unicode.Scalar? {
        guard position.line < lines.count else { return nil }
        let line = lines[position.line]
        return position.column < line.count ? line[position.column] : "\n"
    }

    /// The next position, across line ends; nil at the end of the text.
    func after(_ position: Position) -> Position? {
        guard position.line < lines.count else { return nil }
        if position.column < lines[position.line].count { return Position(line: position.line, column: position.column + 1) }
        return position.line + 1 < lines.count ? Position(line: position.line + 1, column: 0) : nil
    }

    /// Leading spaces of a line.
    func indent(_ line: Int) -> Int { lines[line].prefix { $0 == " " }.count }

    /// Blank, or only a comment.
    func isBlankOrComment(_ line: Int) -> Bool {
        let rest = lines[line].drop { $0 == " " || $0 == "\t" || $0 == "\r" }
        return rest.isEmpty || rest.first == "#"
    }

    /// The last line of a block-mapping entry whose key starts at `key`: lines indented deeper than the key
    /// belong to it; blank lines and comments at the key's own indentation or less that end it belong to what
    /// follows.
    func entryEnd(key: Position) -> Int {
        var last = key.line
        var line = key.line + 1
        while line < lines.count {
            if isBlankOrComment(line) {
                line += 1
                continue
            }
            guard indent(line) > key.column else { break }
            last = line
            line += 1
        }
        // Comments indented deeper than the key right after its last line are its own (a commented-out child).
        while last + 1 < lines.count, !lines[last + 1].allSatisfy({ $0 == " " || $0 == "\r" }),
              isBlankOrComment(last + 1), indent(last + 1) > key.column {
            last += 1
        }
        return last
    }

    /// Where the value that starts at `start` ends (exclusive). Quoted scalars end at their closing quote, flow
    /// collections at their matching bracket, plain scalars before a comment, at the line end or, in a flow
    /// collection, at `,`, `]` or `}`.
    func valueEnd(from start: Position, inFlow: Bool) -> Position {
        guard let first = character(at: start) else { return start }
        switch first {
        case "\"", "'":
            return quotedEnd(from: start) ?? Position(line: start.line, column: lines[start.line].count)
        case "[", "{":
            return collectionEnd(from: start) ?? Position(line: start.line, column: lines[start.line].count)
        default:
            let line = lines[start.line]
            var end = start.column
            var column = start.column
            while column < line.count {
                let character = line[column]
                if inFlow, [",", "]", "}"].contains(character) { break }
                if character == "#", column > 0, line[column - 1] == " " || line[column - 1] == "\t" { break }
                column += 1
                if character != " ", character != "\t", character != "\r" { end = column }
            }
            return Position(line: start.line, column: end)
        }
    }

    /// After the closing quote of the quoted scalar at `start`.
    private func quotedEnd(from start: Position) -> Position? {
        let quote = character(at: start)!
        var position = after(start)
        while let current = position, let character = character(at: current) {
            if quote == "\"", character == "\\" {
                position = after(current).flatMap(after)
                continue
            }
            if character == quote {
                // '' inside a single-quoted scalar is one quote.
                if quote == "'", let next = after(current), self.character(at: next) == "'" {
                    position = after(next)
                    continue
                }
                return after(current) ?? Position(line: current.line, column: current.column + 1)
            }
            position = after(current)
        }
        return nil
    }

    /// After the bracket closing the flow collection at `start`, skipping quoted text.
    func collectionEnd(from start: Position) -> Position? {
        var depth = 0
        var position: Position? = start
        while let current = position, let character = character(at: current) {
            switch character {
            case "[", "{": depth += 1
            case "]", "}":
                depth -= 1
                if depth == 0 { return after(current) ?? Position(line: current.line, column: current.column + 1) }
            case "\"", "'":
                guard let end = quotedEnd(from: current) else { return nil }
                position = end
                continue
            default: break
            }
            position = after(current)
        }
        return nil
    }

    /// Replaces the text from `start` to `end` (exclusive) with `replacement` (which may hold line breaks).
    mutating func replace(from start: Position, to end: Position, with replacement: String) {
        let head = Array(lines[start.line][..<min(start.column, lines[start.line].count)])
        let tail = end.line < lines.count ? Array(lines[end.line][min(end.column, lines[end.line].count)...]) : []
        let middle = YAMLText(replacement).lines
        var joined = middle
        joined[0] = head + joined[0]
        joined[joined.count - 1] += tail
        lines.replaceSubrange(start.line...min(end.line, lines.count - 1), with: joined)
    }
}
