import Inventory
import Support

extension PowerTarget {
    /// The node's BMC from its effective settings, the password read from its file now (by the one rule for
    /// secret files, `SecretFile`); or why it cannot be. `warn` hears that a password file is readable by others.
    public init(_ profile: BootProfile, warn: (String) -> Void = { _ in }) {
        let mac = "\(profile.mac)"
        self.init(node: profile.name, mac: mac, endpoint: Self.endpoint(profile, mac: mac, warn: warn))
    }

    private static func endpoint(_ profile: BootProfile, mac: String,
                                 warn: (String) -> Void) -> Result<BMCEndpoint, PowerFailure> {
        guard let bmc = profile.bmc, let address = bmc.address?.value else {
            return .failure(PowerFailure("no bmc.address in nodes.yaml (netroot nodes set \(profile.name) bmc.address=…)"))
        }
        guard let username = bmc.username?.value else {
            return .failure(PowerFailure("no bmc.username in nodes.yaml (netroot nodes set \(profile.name) bmc.username=…)"))
        }
        let password: Secret
        switch bmc.password?.value {
        case nil:
            return .failure(PowerFailure("no BMC password: set bmc.password_file in nodes.yaml"))
        case .inline(let secret):
            password = secret
        case .file(let path):
            let file: SecretFile
            do { file = try SecretFile.read(path) } catch {
                return .failure(PowerFailure("the BMC password file \(error)"))
            }
            if let warning = file.warning { warn("bmc.password_file \(warning)") }
            password = Secret(file.secret)
        }
        return .success(BMCEndpoint(
            node: profile.name, mac: mac, address: address, port: bmc.port.value, protocol: bmc.protocol.value,
            username: username, password: password, system: bmc.system?.value, tlsCA: bmc.tlsCA?.value,
            insecure: bmc.insecure.value))
    }
}
