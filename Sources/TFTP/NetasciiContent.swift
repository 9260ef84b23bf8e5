import Foundation
import Synchronization

/// A file sent in RFC 1350 netascii (LF becomes CR LF, a lone CR becomes CR NUL), converted as blocks are read:
/// memory stays a few blocks whatever the file's size. Reads go forward from where the last one ended; a
/// retransmission goes back at most a window, to a position remembered from a recent read.
public final class NetasciiContent: TFTPContent, Sendable {
    private let source: any TFTPContent
    public let size: Int

    /// Where the converted stream stands: `output` bytes given, from `input` bytes of the source; `midPair` when
    /// the next output byte is the second of the pair a CR or LF at `input − 1` became.
    struct Position: Sendable, Equatable {
        var output = 0
        var input = 0
        var midPair = false
    }

    private struct State {
        var cursor = Position()
        /// Positions where recent reads began, oldest first, for retransmissions.
        var recent: [Position] = []
    }

    private let state = Mutex(State())
    private static let remembered = 256
    private static let chunk = 64 << 10

    /// Scans `source` once to learn the converted size: O(size) time, O(1) memory. Run it off the thread that
    /// serves transfers when the file is large.
    public init(converting source: any TFTPContent) throws {
        self.source = source
        var size = source.size
        var scratch = [UInt8](repeating: 0, count: Self.chunk)
        var offset = 0
        while offset < source.size {
            let count = min(Self.chunk, source.size - offset)
            try scratch.withUnsafeMutableBytes { buffer in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]), from: offset)
            }
            size += scratch.withUnsafeBytes { Self.lineEnds(in: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            offset += count
        }
        self.size = size
    }

    /// How many LF and CR bytes `bytes` holds, counted with memchr (a 200 MB file takes a fraction of a second).
    private static func lineEnds(in bytes: UnsafeRawBufferPointer) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var found = 0
        for byte in [Int32(10), Int32(13)] {
            var position = base
            let end = base + bytes.count
            while position < end, let hit = memchr(position, byte, end - position) {
                found += 1
                position = UnsafeRawPointer(hit) + 1
            }
        }
        return found
    }

    public func read(into destination: UnsafeMutableRawBufferPointer, from offset: Int) throws {
        guard offset >= 0, offset + destination.count <= size else {
            throw TFTPReadError("read past the end of a \(size)-byte netascii file")
        }
        try state.withLock { state in
            if state.cursor.output != offset {
                let start = state.recent.last { $0.output <= offset } ?? Position()
                state.cursor = try advance(from: start, to: offset, into: nil)
            }
            state.recent.append(state.cursor)
            if state.recent.count > Self.remembered { state.recent.removeFirst(state.recent.count - Self.remembered) }
            state.cursor = try advance(from: state.cursor, to: offset + destination.count, into: destination)
        }
    }

    /// Converts from `position` until `target` output bytes are reached, writing them to `destination` when given.
    private func advance(from position: Position, to target: Int,
                         into destination: UnsafeMutableRawBufferPointer?) throws -> Position {
        var position = position
        var written = 0
        func emit(_ byte: UInt8) {
            destination?[written] = byte
            written += 1
            position.output += 1
        }
        if position.midPair, position.output < target {
            // The second byte of the pair: LF after CR for an LF, NUL after CR for a CR.
            let previous = try source.bytes(from: position.input - 1, count: 1)[0]
            emit(previous == 10 ? 10 : 0)
            position.midPair = false
        }
        var scratch = [UInt8](repeating: 0, count: min(Self.chunk, max(1, target - position.output)))
        while position.output < target {
            // Each input byte gives one or two output bytes, so this many input bytes never overshoot by more
            // than the pair a final CR or LF starts.
            let count = min(scratch.count, target - position.output, source.size - position.input)
            guard count > 0 else { throw TFTPReadError("netascii conversion ran past the end of the file") }
            try scratch.withUnsafeMutableBytes { buffer in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]), from: position.input)
            }
            for byte in scratch[0..<count] {
                guard position.output < target else { break }
                position.input += 1
                switch byte {
                case 10, 13:
                    emit(13)
                    if position.output < target { emit(byte == 10 ? 10 : 0) } else { position.midPair = true }
                default:
                    emit(byte)
                }
            }
        }
        return position
    }
}
