import Foundation
import Support
import Yams

/// The outcome of reading `nodes.yaml`: an inventory when there is no error, and every finding.
public struct InventoryLoadResult: Sendable {
    public let inventory: Inventory?
    /// Errors and warnings in file order.
    public let diagnostics: [Diagnostic]
    /// The `server:` section when it alone could be read: where a server still running on the last good file
    /// keeps its state, even while the file has errors elsewhere.
    public var server: ServerSettings? = nil

    /// The `server:` settings even from a file that does not validate: the inventory's, else the section read on
    /// its own. A server still running on the last good file keeps its state there (control socket, leases,
    /// discovered machines), so commands that talk to it or read its files must find them while the file is broken.
    public var serverSettings: ServerSettings? { inventory?.server ?? server }

    /// `server.state_dir` as `serverSettings` finds it.
    public var stateDirectory: String? { serverSettings?.stateDirectory }
}

/// Reads and validates `nodes.yaml`.
public enum InventoryLoader {
    /// Top-level sections, in the order the reference documents them.
    static let sections = ["server", "bridge", "networks", "images", "groups", "nodes", "containers"]

    /// Loads the file at `path`; messages name it as `path` was written.
    public static func load(path: String) -> InventoryLoadResult {
        load(path: path, bytes: FileManager.default.contents(atPath: path).map { Array($0) })
    }

    /// Validates `bytes` already read from `path` (nil: the file could not be read), so a caller that compared
    /// them with its last read parses exactly the bytes it compared, not a second read of a file being written.
    public static func load(path: String, bytes: [UInt8]?) -> InventoryLoadResult {
        guard let bytes, let text = String(validating: bytes, as: UTF8.self) else {
            let reason = bytes != nil ? "cannot be read as UTF-8 text"
                : FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            return InventoryLoadResult(inventory: nil, diagnostics: [
                Diagnostic(severity: .error, file: path, location: SourceLocation(line: 1, column: 1), subject: nil,
                           message: "the inventory \(reason)"),
            ])
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL
        return parse(text: text, file: path, baseDirectory: absolute.deletingLastPathComponent().path,
                     fileExists: { FileManager.default.fileExists(atPath: $0) })
    }

    /// Validates inventory text. Relative paths resolve against `baseDirectory`; `fileExists` answers for the
    /// kernel/initrd warnings, so tests need no files.
    public static func parse(text: String, file: String, baseDirectory: String,
                             fileExists: @escaping (String) -> Bool) -> InventoryLoadResult {
        parse(text: text, file: file, baseDirectory: baseDirectory, fileExists: fileExists, fileMode: permissionBits)
    }

    /// `fileMode` gives a file's permission bits, for the warnings about secret files others can read.
    /// `environment` is where a secret file's systemd credential is looked for (`SecretFile.location`): the
    /// process's, unless a test gives one.
    public static func parse(text: String, file: String, baseDirectory: String,
                             fileExists: @escaping (String) -> Bool,
                             fileMode: @escaping (String) -> UInt32?,
                             environment: [String: String] = ProcessInfo.processInfo.environment,
                             fileHead: @escaping (String) -> [UInt8]? = InventoryLoader.fileHead)
        -> InventoryLoadResult {
        let collector = DiagnosticCollector(file: file)
        let root: Yams.Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            let (location, message) = describeYAMLError(error, text: text)
            collector.error(at: location, nil, message)
            return InventoryLoadResult(inventory: nil, diagnostics: collector.sorted)
        }
        guard let root, !root.isNull else {
            collector.error(at: SourceLocation(line: 1, column: 1), nil,
                            "the inventory is empty; it needs at least a 'server:' section with an 'interface:'")
            return InventoryLoadResult(inventory: nil, diagnostics: collector.sorted)
        }
        var reader = InventoryReader(collector: collector, baseDirectory: baseDirectory, fileExists: fileExists,
                                     fileMode: fileMode,
                                     secretLocation: { SecretFile.location(of: $0, environment: environment) },
                                     fileHead: fileHead)
        let inventory = reader.read(root)
        return InventoryLoadResult(inventory: collector.hasErrors ? nil : inventory, diagnostics: collector.sorted,
                                   server: reader.server)
    }

    /// The first `PESignature.headLength` bytes of a file; nil when it cannot be read.
    public static func fileHead(_ path: String) -> [UInt8]? {
        // open/read, not FileHandle: O_NONBLOCK so a FIFO named as a kernel cannot hang `check`.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var head = [UInt8](repeating: 0, count: PESignature.headLength)
        let count = head.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        return count > 0 ? Array(head.prefix(count)) : nil
    }

    /// A file's permission bits from stat(2); nil when it cannot be examined.
    public static func permissionBits(_ path: String) -> UInt32? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return UInt32(status.st_mode) & 0o7777
    }

    /// Yams errors carry a mark; the message keeps the problem and drops Yams' copy of the text.
    static func describeYAMLError(_ error: Error, text: String) -> (SourceLocation, String) {
        guard let yamlError = error as? YamlError else {
            return (SourceLocation(line: 1, column: 1), "not valid YAML: \(error)")
        }
        switch yamlError {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let while_ = context.map { " (\($0.text))" } ?? ""
            return (SourceLocation(line: mark.line, column: mark.column), "not valid YAML: \(problem)\(while_)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let key = duplicates.first ?? "?"
            let location = secondOccurrence(of: key, text: text, near: context.mark)
                ?? SourceLocation(line: context.mark.line, column: context.mark.column)
            return (location, "duplicate key '\(key)': each name may appear only once in a mapping")
        case let .reader(problem, offset, _, _):
            let line = offset.map { offset in text.utf8.prefix(offset).filter { $0 == 10 }.count + 1 } ?? 1
            return (SourceLocation(line: line, column: 1), "not valid text: \(problem)")
        default:
            return (SourceLocation(line: 1, column: 1), "not valid YAML: \(yamlError)")
        }
    }

    /// Yams marks one occurrence of a duplicated key; the second one is what the user must remove.
    private static func secondOccurrence(of key: String, text: String, near mark: Mark) -> SourceLocation? {
        var found: [SourceLocation] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let indent = line.prefix { $0 == " " }.count
            guard indent == mark.column - 1 else { continue }
            let rest = line.dropFirst(indent)
            for spelling in [key, "\"\(key)\"", "'\(key)'"] where rest.hasPrefix(spelling) {
                if rest.dropFirst(spelling.count).drop(while: { $0 == " " }).first == ":" {
                    found.append(SourceLocation(line: index + 1, column: indent + 1))
                }
            }
        }
        return found.count >= 2 ? found[1] : nil
    }
}
