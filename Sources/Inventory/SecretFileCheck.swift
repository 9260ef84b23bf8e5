import Support

/// What `netroot check` looks at in a secret file nodes.yaml names (`server.http_token_file`,
/// `server.leases.password_file`, `bmc.password_file`), the file `SecretFile` will read: its systemd credential
/// when the process has one for it (under the unit's `LoadCredential=`), else the path.
struct SecretFileCheck {
    let fileExists: (String) -> Bool
    /// Permission bits, nil when the file cannot be examined.
    let fileMode: (String) -> UInt32?
    /// The file read for a configured path (`SecretFile.location`).
    let location: (String) -> String

    func exists(_ path: String) -> Bool { fileExists(location(path)) }

    /// Set when the file read is readable by its group or others; it names the configured path.
    func warning(_ path: String) -> SecretFileWarning? {
        fileMode(location(path)).flatMap { SecretFileWarning(path: path, mode: $0) }
    }
}
