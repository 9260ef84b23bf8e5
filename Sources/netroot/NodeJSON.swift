import ArgumentParser
import Inventory

/// A node's effective settings for scripts (keys as in nodes.yaml); a BMC password only as whether one is set.
struct NodeJSON: Encodable {
    var name, mac, ip, hostname, network: String
    var image: String?
    var groups: [String]
    var kernel, initrd, root_path: String?
    var cmdline: String
    var bmc: BMCJSON?

    struct BMCJSON: Encodable {
        var address: String?
        var port: Int
        var `protocol`: String
        var username: String?
        var password_set: Bool
        var password_file: String?
        var system, tls_ca: String?
        var insecure: Bool
    }

    init(_ profile: BootProfile) {
        name = profile.name
        mac = "\(profile.mac)"
        ip = "\(profile.ip)"
        hostname = profile.hostname.value
        network = profile.network.name
        image = profile.image?.value
        groups = profile.groups
        kernel = profile.kernel?.value
        initrd = profile.initrd?.value
        root_path = profile.rootPath?.value.description
        cmdline = profile.cmdline.value
        bmc = profile.bmc.map { bmc in
            var passwordFile: String?
            if case .file(let path) = bmc.password?.value { passwordFile = path }
            return BMCJSON(address: bmc.address?.value, port: bmc.port.value, protocol: bmc.protocol.value.rawValue,
                           username: bmc.username?.value, password_set: bmc.password != nil,
                           password_file: passwordFile, system: bmc.system?.value, tls_ca: bmc.tlsCA?.value,
                           insecure: bmc.insecure.value)
        }
    }
}

extension Inventory {
    /// The profiles NODES selects; otherwise the reason, with a suggestion, and exit 1.
    func requireProfiles(selectedBy expression: String) throws -> [BootProfile] {
        do {
            return try profiles(selectedBy: expression)
        } catch {
            printError("netroot: \(error) in \(file)")
            throw ExitCode(1)
        }
    }
}
