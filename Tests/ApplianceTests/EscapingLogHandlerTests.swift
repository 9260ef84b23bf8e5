import Appliance
import Logging
import Synchronization
import Testing

/// Log lines quote clients (TFTP file names, DHCP options) and BMCs: the handler `serve` installs escapes their
/// control characters, so one log call is one line and no client writes a line of its own.
@Suite struct EscapingLogHandlerTests {
    /// Keeps what reaches it, as the stream handler would write it.
    final class Recorder: Sendable {
        let lines = Mutex<[String]>([])
        let metadata = Mutex<[Logger.Metadata]>([])
    }

    struct RecordingHandler: LogHandler {
        let recorder: Recorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            recorder.lines.withLock { $0.append("\(event.level) \(event.message)" + (fields.isEmpty ? "" : " " + fields)) }
            recorder.metadata.withLock { $0.append(event.metadata ?? [:]) }
        }
    }

    @Test func aForgedLineStaysInsideItsOwnLine() {
        let recorder = Recorder()
        var logger = Logger(label: "test") { _ in EscapingLogHandler(wrapping: RecordingHandler(recorder: recorder)) }
        logger.logLevel = .info
        let name = "pxelinux.0\n2026-01-01T00:00:00+0000 notice netroot : netroot ready: serving 3 nodes"
        logger.info("sent \(name) to 10.0.0.5", metadata: ["file": "\(name)", "list": ["a\u{1b}[2J"],
                                                            "map": ["k\u{9b}": "v\u{7f}"]])
        let lines = recorder.lines.withLock { $0 }
        #expect(lines.count == 1)
        let line = lines[0]
        #expect(!line.contains("\n"))
        #expect(line.hasPrefix("info sent pxelinux.0\\x0a2026-01-01T00:00:00+0000 notice netroot : netroot ready"))
        #expect(line.contains("file=pxelinux.0\\x0a2026"))
        let metadata = recorder.metadata.withLock { $0 }
        #expect(metadata.first?["list"] == .array([.string("a\\x1b[2J")]))
        #expect(metadata.first?["map"] == .dictionary(["k\\x9b": .string("v\\x7f")]))
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) })
    }

    @Test func escapedTextAndPlainLinesPassUnchanged() {
        let recorder = Recorder()
        var logger = Logger(label: "test") { _ in EscapingLogHandler(wrapping: RecordingHandler(recorder: recorder)) }
        logger[metadataKey: "node"] = "compute\u{1b}1"
        logger.notice("netroot ready: serving 3 nodes from nodes.yaml")
        logger.info("asked for x\\x1b[2J: file not found")
        #expect(recorder.lines.withLock { $0 } == [
            "notice netroot ready: serving 3 nodes from nodes.yaml node=compute\\x1b1",
            "info asked for x\\x1b[2J: file not found node=compute\\x1b1",
        ])
    }
}
