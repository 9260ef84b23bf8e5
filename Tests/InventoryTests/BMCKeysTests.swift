import Inventory
import Testing

/// The `bmc:` key of nodes and groups: what `check` accepts and refuses, with the place and a suggestion.
@Suite struct BMCKeysTests {
    static func yaml(group: String = "", node: String) -> String {
        baseInventory.replacingOccurrences(of: "    image: rhel6\n", with: "    image: rhel6\n" + group) + """
              compute1:
                mac: 52:54:00:00:00:01
                ip: 192.168.1.11
                groups: [compute]

            """ + node
    }

    @Test func aNodeAndGroupBMCValidate() {
        let text = Self.yaml(group: "    bmc: {protocol: ipmi, username: ADMIN, password_file: /etc/netroot/bmc}\n",
                             node: "    bmc: {address: 10.1.1.1}\n")
        let result = load(text, existingFiles: baseFiles.union(["/etc/netroot/bmc"]))
        #expect(result.inventory != nil, "\(result.diagnostics.map(\.description))")
    }

    @Test func twoNodesOnOneBMCAreRefusedUnlessItsPortOrSystemDiffers() {
        let second = """
              compute2:
                mac: 52:54:00:00:00:02
                ip: 192.168.1.12
                bmc: {address: 10.1.1.1}

            """
        let text = Self.yaml(node: "    bmc: {address: 10.1.1.1}\n" + second)
        #expect(findings(text, existingFiles: baseFiles)
            == ["nodes.yaml:27:11: node compute2: BMC 10.1.1.1 port 623 is already used by node compute1 (line 23)"])
        let ports = Self.yaml(node: "    bmc: {address: 10.1.1.1, port: 624}\n" + second)
        #expect(findings(ports, existingFiles: baseFiles).isEmpty)
        // One Redfish manager for several blades: a system each.
        let blades = Self.yaml(node: "    bmc: {address: 10.1.1.1, protocol: redfish, system: /redfish/v1/Systems/1}\n"
            + second.replacingOccurrences(of: "{address: 10.1.1.1}",
                                          with: "{address: 10.1.1.1, protocol: redfish, system: /redfish/v1/Systems/2}"))
        #expect(findings(blades, existingFiles: baseFiles).isEmpty)
        // The port a group sets counts: both nodes' BMCs are 10.1.1.1:6230.
        let grouped = Self.yaml(group: "    bmc: {port: 6230}\n", node: "    bmc: {address: 10.1.1.1}\n"
            + second.replacingOccurrences(of: "    bmc: {address: 10.1.1.1}\n",
                                          with: "    groups: [compute]\n    bmc: {address: 10.1.1.1}\n"))
        #expect(findings(grouped, existingFiles: baseFiles)
            == ["nodes.yaml:29:11: node compute2: BMC 10.1.1.1 port 6230 is already used by node compute1 (line 24)"])
    }

    @Test func aMisspeltBMCKeyIsSuggested() {
        let text = Self.yaml(node: "    bmc:\n      adress: 10.1.1.1\n")
        #expect(findings(text, existingFiles: baseFiles)
            == ["nodes.yaml:24:7: node compute1: unknown key 'adress' (did you mean 'address'?)"])
    }

    @Test func anUnknownProtocolIsRefusedWithASuggestion() {
        let text = Self.yaml(node: "    bmc: {address: 10.1.1.1, protocol: redfsh}\n")
        #expect(findings(text, existingFiles: baseFiles)
            == ["nodes.yaml:23:40: node compute1: invalid bmc.protocol 'redfsh' (expected ipmi or redfish) "
                + "(did you mean 'redfish'?)"])
    }

    @Test func aPortOutOfRangeIsRefused() {
        let text = Self.yaml(node: "    bmc: {address: 10.1.1.1, port: 70000}\n")
        #expect(findings(text, existingFiles: baseFiles)
            == ["nodes.yaml:23:36: node compute1: invalid bmc.port '70000' (expected a port from 1 to 65535)"])
    }

    @Test func bothPasswordFormsAreRefused() {
        let text = Self.yaml(node: "    bmc: {address: 10.1.1.1, password: x, password_file: /etc/pw}\n")
        #expect(findings(text, existingFiles: baseFiles.union(["/etc/pw"])) == [
            "nodes.yaml:23:43: node compute1: bmc has both password and password_file; give one "
                + "(password_file keeps the password out of nodes.yaml)",
        ])
    }

    @Test func redfishKeysNeedTheRedfishProtocol() {
        let text = Self.yaml(group: "    bmc: {protocol: ipmi}\n",
                             node: "    bmc: {address: 10.1.1.1, system: /redfish/v1/Systems/1}\n")
        #expect(findings(text, existingFiles: baseFiles) == [
            "nodes.yaml:24:30: node compute1: bmc.system applies to protocol redfish only "
                + "(this node's protocol is ipmi, from group compute)",
        ])
    }

    @Test func tlsCAAndInsecureExcludeEachOther() {
        let text = Self.yaml(node: "    bmc: {address: 10.1.1.1, protocol: redfish, tls_ca: /etc/ca.pem, insecure: true}\n")
        #expect(findings(text, existingFiles: baseFiles.union(["/etc/ca.pem"])) == [
            "nodes.yaml:23:70: node compute1: bmc has both tls_ca and insecure: true; "
                + "give tls_ca to verify the BMC's certificate, or insecure: true not to",
        ])
    }

    @Test func aMissingPasswordFileIsAWarning() {
        let text = Self.yaml(node: "    bmc: {address: 10.1.1.1, password_file: secrets/bmc}\n")
        #expect(findings(text, existingFiles: baseFiles) == [
            "nodes.yaml:23:45: warning: node compute1: bmc.password_file /srv/config/secrets/bmc does not exist",
        ])
    }
}
