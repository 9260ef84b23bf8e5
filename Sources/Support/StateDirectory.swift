import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `server.state_dir` as `serve` needs it: netroot's own (leases, the control socket, NFS state), so it is
/// created 0700 and refused when another user owns it or its group or others may write in it: either could
/// replace the lease journal or plant a link where netroot writes.
public enum StateDirectory {
    /// Why the state directory cannot be used, in one line naming it.
    public struct Refusal: Error, CustomStringConvertible, Sendable, Equatable {
        public let description: String
    }

    /// Creates `path` (0700; missing parents 0755) or checks the one there, for a process running as `user`.
    public static func prepare(_ path: String, user: uid_t = geteuid()) throws(Refusal) {
        var status = stat()
        if stat(path, &status) != 0 {
            guard errno == ENOENT else { throw refusal(path, String(cString: strerror(errno))) }
            let parent = (path as NSString).deletingLastPathComponent
            if !parent.isEmpty {
                try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true,
                                                         attributes: [.posixPermissions: 0o755])
            }
            guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
                throw refusal(path, "cannot create it: \(String(cString: strerror(errno)))")
            }
            guard stat(path, &status) == 0 else { throw refusal(path, String(cString: strerror(errno))) }
        }
        if let problem = problem(mode: status.st_mode, owner: status.st_uid, user: user) {
            throw refusal(path, problem)
        }
    }

    /// What is wrong with a state directory of this mode and owner for `user`, or nil. Pure, for `check` too.
    public static func problem(mode: mode_t, owner: uid_t, user: uid_t) -> String? {
        guard mode & S_IFMT == S_IFDIR else { return "it is not a directory" }
        if owner != user {
            return "it is owned by uid \(owner), and netroot runs as uid \(user): another user could replace the "
                + "lease journal (chown \(user) it, or point state_dir elsewhere)"
        }
        if mode & 0o022 != 0 {
            let octal = String(mode & 0o7777, radix: 8)
            return "its group or others may write in it (mode \(octal)): they could replace the lease journal or "
                + "plant links where netroot writes (chmod go-w it; netroot creates it 0700)"
        }
        return nil
    }

    private static func refusal(_ path: String, _ why: String) -> Refusal {
        Refusal(description: "state_dir \(path): \(why)")
    }
}
