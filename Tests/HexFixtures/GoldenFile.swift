import Foundation

/// Expected output kept in a file beside the test (`Golden/NAME`), compared whole. With the environment variable
/// `NETROOT_REFRESH_GOLDEN=1` the file is rewritten from the actual output instead (then read the diff, and commit
/// it only if the change is meant).
public enum GoldenFile {
    /// Nil when `actual` is the file's text (or the file was refreshed); else what differs, first line first.
    public static func mismatch(_ actual: String, _ name: String, beside sourceFile: String = #filePath) -> String? {
        let url = URL(fileURLWithPath: sourceFile).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
        if ProcessInfo.processInfo.environment["NETROOT_REFRESH_GOLDEN"] == "1" {
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                        withIntermediateDirectories: true)
                try actual.write(to: url, atomically: true, encoding: .utf8)
                return nil
            } catch {
                return "cannot refresh \(url.path): \(error)"
            }
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            return "no golden file \(url.path): run the test with NETROOT_REFRESH_GOLDEN=1 to write it"
        }
        guard expected != actual else { return nil }
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let got = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(want.count, got.count) {
            let wanted = index < want.count ? String(want[index]) : "(end of file)"
            let gotten = index < got.count ? String(got[index]) : "(end of output)"
            if wanted != gotten {
                return "\(url.lastPathComponent):\(index + 1) differs (NETROOT_REFRESH_GOLDEN=1 rewrites it)\n"
                    + "  expected: \(wanted)\n  actual:   \(gotten)"
            }
        }
        return "\(url.lastPathComponent) differs"
    }
}
