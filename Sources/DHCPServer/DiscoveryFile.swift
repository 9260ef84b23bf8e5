import Foundation
import Inventory
import Support
import Values

/// `state_dir/discovered.json`: the discovered machines, replaced whole and atomically (written to a temporary
/// file, synced, renamed over the old one), so a reader (`netroot nodes discovered`) sees the old list or the new.
public enum DiscoveryFile {
    public static let name = "discovered.json"

    public static func path(stateDirectory: String) -> String { stateDirectory + "/" + name }

    /// What a read found: the machines, and why some or all could not be read.
    public struct Contents: Sendable, Equatable {
        public var machines: [DiscoveredMachine]
        /// Set when the file exists but is not a discovery file (truncated, edited by hand): it is treated as empty.
        public var problem: String?
    }

    /// The file's machines; a missing file is an empty list, an unreadable or corrupt one an empty list with a
    /// problem (discovery is a convenience: a bad file must not stop `serve`).
    public static func read(path: String) -> Contents {
        let bytes: [UInt8]?
        do { bytes = try PrivateFile.read(path) } catch {
            return Contents(machines: [], problem: "\(error); it is replaced at the next sighting")
        }
        guard let bytes else { return Contents(machines: []) }
        return decode(Data(bytes), path: path)
    }

    /// `data` as the file's contents (pure).
    public static func decode(_ data: Data, path: String) -> Contents {
        do {
            let file = try JSONDecoder().decode(Stored.self, from: data)
            guard file.version == Stored.currentVersion else {
                return Contents(machines: [], problem: "\(path): version \(file.version) not understood; ignored")
            }
            return Contents(machines: file.machines.map(Self.escaped))
        } catch {
            return Contents(machines: [], problem: "\(path) is not a discovery file (ignored): \(error)")
        }
    }

    /// A machine as read from the file, its text escaped again: a file written before text was escaped where
    /// it enters, or edited by hand, may hold control characters. Text escaped already comes back unchanged.
    static func escaped(_ machine: DiscoveredMachine) -> DiscoveredMachine {
        var machine = machine
        machine.mac = UntrustedText.escapeStored(machine.mac)
        machine.vendorClass = machine.vendorClass.map(DiscoveredMachine.capped)
        machine.relay = machine.relay.map { UntrustedText.escapeStored($0) }
        machine.network = machine.network.map { UntrustedText.escapeStored($0) }
        return machine
    }

    /// The file's bytes for `machines` (pure): one machine a line, in first-seen order, for people who `cat` it.
    public static func encode(_ machines: [DiscoveredMachine]) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let lines = machines.map { String(decoding: (try? encoder.encode($0)) ?? Data(), as: UTF8.self) }
        let text = "{\"version\": \(Stored.currentVersion), \"machines\": [\n" + lines.joined(separator: ",\n") + "\n]}\n"
        return Data(text.utf8)
    }

    /// Replaces the file at `path` with `machines`, creating its directory if needed.
    public static func save(_ machines: [DiscoveredMachine], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            try PrivateFile.replace(path, with: [UInt8](encode(machines)))
        } catch {
            throw WriteError(description: error.description)
        }
    }

    /// Why a write failed.
    public struct WriteError: Error, CustomStringConvertible {
        public let description: String
    }


    private struct Stored: Codable {
        static let currentVersion = 1
        var version: Int
        var machines: [DiscoveredMachine]
    }
}
