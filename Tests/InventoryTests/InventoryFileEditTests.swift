import Foundation
import Inventory
import Testing

/// nodes.yaml edited as the command line edits it: locked, validated whole, replaced atomically, comments kept.
@Suite struct InventoryFileEditTests {
    /// A nodes.yaml in a fresh directory; tftp_root is that directory, where kernels need not exist (warnings only).
    private static func file(_ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("netroot-edit-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/nodes.yaml"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    private static let valid = """
        # the appliance
        server:
          interface: br0
          tftp_root: .
          state_dir: /var/lib/netroot-test
        networks:
          lan: {subnet: 10.0.0.0/24}
        nodes:
          # first rack
          n1:
            mac: 52:54:00:00:00:01
            ip: 10.0.0.11

        """

    private static func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// Removes the directory `file` made.
    private static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    @Test func anEditIsWrittenWithTheCommentsKept() throws {
        let path = try Self.file(Self.valid)
        defer { Self.remove(path) }
        let edited = try InventoryFileEdit(path: path).apply { document, inventory in
            #expect(inventory.nodes.map(\.name) == ["n1"])
            try document.appendEntry(["n2:", "  mac: 52:54:00:00:00:02", "  ip: 10.0.0.12"], toSection: "nodes")
        }
        #expect(edited.nodes.map(\.name).sorted() == ["n1", "n2"])
        let text = try Self.read(path)
        #expect(text.contains("# first rack") && text.contains("# the appliance") && text.contains("n2:"))
        // Nothing left beside it: the temporary file was renamed over.
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["nodes.yaml"])
    }

    @Test func anEditThatWouldNotValidateWritesNothing() throws {
        let path = try Self.file(Self.valid)
        defer { Self.remove(path) }
        #expect {
            _ = try InventoryFileEdit(path: path).apply { document, _ in
                try document.appendEntry(["n2:", "  mac: 52:54:00:00:00:01", "  ip: 10.0.0.12"], toSection: "nodes")
            }
        } throws: { error in
            guard let error = error as? InventoryEditError, error.kind == .wouldBeInvalid else { return false }
            return error.diagnostics.contains { $0.message.contains("52:54:00:00:00:01") }
                && error.diagnostics.allSatisfy { $0.severity == .error }
        }
        #expect(try Self.read(path) == Self.valid)
    }

    @Test func aFileInvalidNowIsNotEdited() throws {
        let broken = Self.valid.replacingOccurrences(of: "ip: 10.0.0.11", with: "ip: 10.0.9.11")
        let path = try Self.file(broken)
        defer { Self.remove(path) }
        #expect {
            _ = try InventoryFileEdit(path: path).apply { _, _ in Issue.record("change ran on an invalid file") }
        } throws: { error in
            guard let error = error as? InventoryEditError else { return false }
            return error.kind == .invalidNow && !error.diagnostics.errors.isEmpty
                && error.description == "\(path) is invalid now; fix it first (netroot check), then edit it"
        }
        #expect(try Self.read(path) == broken)
    }

    @Test func aTextEditMayMendAnInvalidFile() throws {
        // A node names an image not imported yet: the file is invalid until the image's entry is added.
        let broken = Self.valid.replacingOccurrences(of: "ip: 10.0.0.11", with: "ip: 10.0.0.11\n    image: tiny")
        let path = try Self.file(broken)
        defer { Self.remove(path) }
        let edited = try InventoryFileEdit(path: path).applyToText { text, loaded in
            #expect(loaded.inventory == nil)
            return try #require(InventoryEditor.add(["tiny:", "  kernel: tiny/vmlinuz"], toSection: "images", in: text))
        }
        #expect(edited.images.map(\.name) == ["tiny"])
        #expect(try Self.read(path).contains("tiny:\n"))
    }

    @Test func theChangesOwnErrorsComeThroughAsTheyAre() throws {
        struct Refused: Error {}
        let path = try Self.file(Self.valid)
        defer { Self.remove(path) }
        #expect(throws: Refused.self) { _ = try InventoryFileEdit(path: path).apply { _, _ in throw Refused() } }
        #expect(throws: InventoryEditError("no nodes entry 'n9'")) {
            _ = try InventoryFileEdit(path: path).apply { document, _ in try document.removeEntry("n9", fromSection: "nodes") }
        }
    }

    @Test func aMissingFileCannotBeLocked() {
        #expect {
            _ = try InventoryFileEdit(path: "/nonexistent/nodes.yaml").apply { _, _ in }
        } throws: { error in
            (error as? InventoryEditError)?.kind == .file
                && "\(error)" == "cannot open /nonexistent/nodes.yaml: No such file or directory"
        }
    }

    @Test func theServerSectionIsFoundInAFileThatDoesNotValidate() {
        let broken = Self.valid.replacingOccurrences(of: "ip: 10.0.0.11", with: "ip: 10.0.9.11")
        let result = InventoryLoader.parse(text: broken, file: "nodes.yaml", baseDirectory: "/srv", fileExists: { _ in true })
        #expect(result.inventory == nil)
        #expect(result.stateDirectory == "/var/lib/netroot-test")
        #expect(result.serverSettings?.interface == "br0")
        let valid = InventoryLoader.parse(text: Self.valid, file: "nodes.yaml", baseDirectory: "/srv", fileExists: { _ in true })
        #expect(valid.stateDirectory == "/var/lib/netroot-test")
        let none = InventoryLoader.parse(text: "nodes: {}\n", file: "nodes.yaml", baseDirectory: "/srv", fileExists: { _ in true })
        #expect(none.serverSettings == nil && none.stateDirectory == nil)
    }
}
