import Logging
import Values

/// Wraps the log handler that writes lines: every message and metadata value has its control characters escaped
/// (`Terminal.safe`) first, so one log call stays one line, whatever a client put in a file name or an option.
public struct EscapingLogHandler: LogHandler {
    private var wrapped: any LogHandler

    public init(wrapping handler: any LogHandler) {
        wrapped = handler
    }

    public func log(event: LogEvent) {
        var event = event
        let message = event.message.description
        if Terminal.hasControls(message) { event.message = Logger.Message(stringLiteral: Terminal.safe(message)) }
        event.metadata = event.metadata.map(Self.escaped)
        wrapped.log(event: event)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: Terminal.safe(key)] = newValue.map(Self.escaped) }
    }

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = Self.escaped(newValue) }
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    static func escaped(_ metadata: Logger.Metadata) -> Logger.Metadata {
        var safe: Logger.Metadata = [:]
        for (key, value) in metadata { safe[Terminal.safe(key)] = escaped(value) }
        return safe
    }

    static func escaped(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(Terminal.safe(text))
        case .stringConvertible(let convertible): .string(Terminal.safe(convertible.description))
        case .dictionary(let dictionary): .dictionary(escaped(dictionary))
        case .array(let array): .array(array.map(escaped))
        @unknown default: .string(Terminal.safe("\(value)"))
        }
    }
}
