/// Readers for values several sections share, each checked for the place the value ends up in.
extension DiagnosticCollector {
    /// Why a value with a control character cannot go where it goes, completing "KEY 'x' contains a newline; …".
    enum Place {
        static let pxelinuxLine = "the pxelinux config takes it as one line, which cannot hold control characters"
        static let fileField = "the DHCP reply's file field cannot hold control characters"
        static let path = "a path here cannot hold control characters"
    }

    /// A scalar that must fit on one line of whatever `place` names.
    func oneLine(_ key: String, in fields: Fields, place: String) -> Located<String>? {
        guard let text = string(key, in: fields) else { return nil }
        if let breaker = LineBreaker.first(in: text.value) {
            error(at: text.location, fields.subject, "\(key) '\(text.value)' contains \(breaker); \(place)")
            return nil
        }
        return text
    }

    /// A file's path: absolute, a relative one taken from `base` (the inventory's directory), normalized.
    func path(_ key: String, in fields: Fields, base: String) -> Located<String>? {
        guard let text = oneLine(key, in: fields, place: Place.path) else { return nil }
        let path = text.value.hasPrefix("/") ? text.value : base + "/" + text.value
        return Located(value: PathNormalizer.normalize(path), location: text.location)
    }

    /// A path under tftp_root: relative, no `..`, no backslashes, one word on one line (pxelinux and the DHCP
    /// file field read it up to the first space).
    func tftpPath(_ key: String, in fields: Fields, place: String = Place.pxelinuxLine) -> Located<String>? {
        guard let text = oneLine(key, in: fields, place: place) else { return nil }
        let components = text.value.split(separator: "/", omittingEmptySubsequences: false)
        guard !text.value.isEmpty, !text.value.hasPrefix("/"), !text.value.contains("\\"),
              !components.contains(".."), !components.contains("") else {
            error(at: text.location, fields.subject,
                  "\(key) '\(text.value)' must be a relative path inside tftp_root, like rhel6/vmlinuz")
            return nil
        }
        if text.value.unicodeScalars.contains(where: \.properties.isWhitespace) {
            error(at: text.location, fields.subject, "\(key) '\(text.value)' contains a space; pxelinux ends a file "
                      + "name at the first space (kernel arguments belong in cmdline)")
            return nil
        }
        return text
    }

    /// `root_path`: DHCP option 17, one line of at most 255 bytes; `nfs:` paths in the `nfs:SERVER:/PATH` form
    /// dracut and busybox need.
    func rootPath(in fields: Fields) -> Located<RootPath>? {
        guard let text = string("root_path", in: fields) else { return nil }
        switch RootPath.parse(text.value) {
        case .success(let rootPath):
            return Located(value: rootPath, location: text.location)
        case .failure(.lineBreak(let breaker)):
            error(at: text.location, fields.subject, "root_path '\(text.value)' contains \(breaker); "
                      + "DHCP option 17 carries one line of text without control characters")
        case .failure(.malformedNFS(let scheme)):
            error(at: text.location, fields.subject, "invalid root_path '\(text.value)' "
                      + "(expected \(scheme)SERVER:/PATH, e.g. \(scheme)192.168.1.200:/srv/root)")
        case .failure(.length):
            error(at: text.location, fields.subject,
                  "root_path must be 1 to 255 bytes long (it travels in one DHCP option)")
        }
        return nil
    }

    /// `cmdline`: the pxelinux APPEND line.
    func cmdline(in fields: Fields) -> Located<String>? {
        let cmdline = oneLine("cmdline", in: fields, place: Place.pxelinuxLine)
        if let cmdline, cmdline.value.contains("${") {
            // iPXE expands ${…} in a script's kernel line; netroot will not write one that would.
            warning(at: cmdline.location, fields.subject, "cmdline contains '${', which iPXE would expand: a node "
                        + "with boot: ipxe and this cmdline boots its local disk")
        }
        return cmdline
    }

    func interfaceName(_ key: String, in fields: Fields) -> Located<String>? {
        parsed(key, in: fields, expected: "an interface name of 1 to 15 characters without '/', ':' or spaces",
               { Names.isInterfaceName($0) ? $0 : nil })
    }
}

/// What `true`/`false` may be written as.
func parseBool(_ text: String) -> Bool? {
    switch text.lowercased() {
    case "true", "yes", "on": true
    case "false", "no", "off": false
    default: nil
    }
}

/// How a message names an address a subnet reserves.
func reservedName(_ address: IPv4Address, _ subnet: IPv4Subnet) -> String {
    address == subnet.network ? "network address" : "broadcast address"
}

/// A reference from one section to a name another section declares, with where it was written.
struct Reference {
    var name: Located<String>
    /// Whom a message about it names, e.g. `node compute1`.
    var subject: String
}
