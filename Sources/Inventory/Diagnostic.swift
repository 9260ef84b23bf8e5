/// A position in the inventory file, 1-based as editors show it.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// One finding about the inventory: `FILE:LINE:COL: subject: message`.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    /// Whether the finding stops the inventory from being used.
    public enum Severity: String, Sendable {
        case error
        case warning
    }

    public var severity: Severity
    /// The file as the user named it, so the line can be pasted into an editor.
    public var file: String
    public var location: SourceLocation
    /// What the finding is about, e.g. `node compute1` or `network provision`; nil for the file as a whole.
    public var subject: String?
    public var message: String

    public init(severity: Severity, file: String, location: SourceLocation, subject: String?, message: String) {
        self.severity = severity
        self.file = file
        self.location = location
        self.subject = subject
        self.message = message
    }

    /// The one-line form; warnings say so, errors need no label. A newline or other control character quoted
    /// from the file is escaped (`\n`), so one finding stays one line.
    public var description: String {
        var text = "\(file):\(location): "
        if severity == .warning { text += "warning: " }
        if let subject { text += "\(LineBreaker.escaped(subject)): " }
        return text + LineBreaker.escaped(message)
    }
}

extension Array where Element == Diagnostic {
    /// The errors among the findings.
    public var errors: [Diagnostic] { filter { $0.severity == .error } }
    /// The warnings among the findings.
    public var warnings: [Diagnostic] { filter { $0.severity == .warning } }
}
