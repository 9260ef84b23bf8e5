import Inventory
import Testing

/// Every validation rule: a failing input and the exact message with its line and column.
@Suite struct ValidationTests {
    @Test func baseInventoryIsValidWithoutWarnings() {
        let result = load(baseInventory, existingFiles: baseFiles)
        #expect(result.diagnostics.isEmpty)
        #expect(result.inventory != nil)
    }

    @Test func acceptanceExampleGivesThreeErrors() {
        let yaml = baseInventory + """
              a1:
                mac: 52:54:00:00:00:01
                ip: 192.168.1.11
              a2:
                mac: 52:54:00:00:00:01
                ip: 10.0.0.12
              a3:
                mac: 52:54:00:00:00:03
                ip: 192.168.1.13
                rootpath: nfs:192.168.1.200:/
            """
        let result = load(yaml, existingFiles: baseFiles)
        #expect(result.inventory == nil)
        #expect(result.diagnostics.map(\.description) == [
            "nodes.yaml:23:10: node a2: MAC 52:54:00:00:00:01 is already used by node a1 (line 20)",
            "nodes.yaml:24:9: node a2: IP 10.0.0.12 is not inside any network's subnet "
                + "(declared: provision 192.168.1.0/24)",
            "nodes.yaml:28:5: node a3: unknown key 'rootpath' (did you mean 'root_path'?)",
        ])
    }

    @Test(arguments: [
        ("52:54:00:00:00:0g", "nodes.yaml:20:10: node n1: invalid mac '52:54:00:00:00:0g' "
            + "(expected six hex pairs like 52:54:00:00:00:01 or 52-54-00-00-00-01)"),
        ("52:54:00-00:00:01", "nodes.yaml:20:10: node n1: invalid mac '52:54:00-00:00:01' "
            + "(expected six hex pairs like 52:54:00:00:00:01 or 52-54-00-00-00-01)"),
        ("5254.0000.0001", "nodes.yaml:20:10: node n1: invalid mac '5254.0000.0001' "
            + "(expected six hex pairs like 52:54:00:00:00:01 or 52-54-00-00-00-01)"),
    ])
    func macSyntax(mac: String, expected: String) {
        let yaml = baseInventory + "  n1:\n    mac: \(mac)\n    ip: 192.168.1.11\n"
        #expect(findings(yaml, existingFiles: baseFiles) == [expected])
    }

    @Test func macUniquenessIgnoresSpelling() {
        let yaml = baseInventory + """
              n1:
                mac: 52:54:00:AB:00:01
                ip: 192.168.1.11
              n2:
                mac: 52-54-00-ab-00-01
                ip: 192.168.1.12
            """
        #expect(findings(yaml, existingFiles: baseFiles) == [
            "nodes.yaml:23:10: node n2: MAC 52:54:00:ab:00:01 is already used by node n1 (line 20)",
        ])
    }

    @Test(arguments: [
        ("192.168.1.256", "invalid ip '192.168.1.256' (expected an IPv4 address like 192.168.1.11)"),
        ("192.168.01.1", "invalid ip '192.168.01.1' (expected an IPv4 address like 192.168.1.11)"),
        ("192.168.1", "invalid ip '192.168.1' (expected an IPv4 address like 192.168.1.11)"),
    ])
    func ipSyntax(ip: String, message: String) {
        let yaml = baseInventory + "  n1:\n    mac: 52:54:00:00:00:01\n    ip: \(ip)\n"
        #expect(findings(yaml, existingFiles: baseFiles) == ["nodes.yaml:21:9: node n1: " + message])
    }

    @Test func ipUniqueness() {
        let yaml = baseInventory + """
              n1:
                mac: 52:54:00:00:00:01
                ip: 192.168.1.11
              n2:
                mac: 52:54:00:00:00:02
                ip: 192.168.1.11
            """
        #expect(findings(yaml, existingFiles: baseFiles) == [
            "nodes.yaml:24:9: node n2: IP 192.168.1.11 is already used by node n1 (line 21)",
        ])
    }

    @Test(arguments: [
        ("192.168.1.0", "IP 192.168.1.0 is the network address of network provision (192.168.1.0/24)"),
        ("192.168.1.255", "IP 192.168.1.255 is the broadcast address of network provision (192.168.1.0/24)"),
        ("192.168.1.150", "IP 192.168.1.150 is inside the pool of network provision "
            + "(192.168.1.100-192.168.1.199); a reserved address must be outside the pool"),
        ("192.168.1.1", "IP 192.168.1.1 is the router of network provision"),
        ("192.168.1.200", "IP 192.168.1.200 is the server's own address"),
        ("172.16.0.5", "IP 172.16.0.5 is not inside any network's subnet (declared: provision 192.168.1.0/24)"),
    ])
    func ipPlacement(ip: String, message: String) {
        let yaml = baseInventory + "  n1:\n    mac: 52:54:00:00:00:01\n    ip: \(ip)\n"
        #expect(findings(yaml, existingFiles: baseFiles) == ["nodes.yaml:21:9: node n1: " + message])
    }

    @Test func nodeWithoutAnyNetwork() {
        let yaml = "server:\n  interface: br0\nnodes:\n  n1: {mac: 52:54:00:00:00:01, ip: 10.1.1.1}\n"
        #expect(load(yaml).diagnostics.errors.map(\.description) == [
            "nodes.yaml:4:36: node n1: IP 10.1.1.1 is not inside any network's subnet (no networks are declared)",
        ])
    }

    @Test(arguments: [
        ("10.0.0.10-10.0.0.20", "network provision: pool 10.0.0.10-10.0.0.20 is not inside subnet 192.168.1.0/24"),
        ("192.168.1.100-192.168.2.10",
         "network provision: pool 192.168.1.100-192.168.2.10 is not inside subnet 192.168.1.0/24"),
        ("192.168.1.50-192.168.1.40", "network provision: pool 192.168.1.50-192.168.1.40 ends before it starts"),
        ("192.168.1.0-192.168.1.0",
         "network provision: pool 192.168.1.0-192.168.1.0 includes the network address 192.168.1.0"),
        ("192.168.1.250-192.168.1.255",
         "network provision: pool 192.168.1.250-192.168.1.255 includes the broadcast address 192.168.1.255"),
        ("192.168.1.1-192.168.1.40", "network provision: pool 192.168.1.1-192.168.1.40 includes the router 192.168.1.1"),
        ("192.168.1.190-192.168.1.210",
         "network provision: pool 192.168.1.190-192.168.1.210 includes the server's address 192.168.1.200"),
        ("192.168.1.100 to 199", "network provision: invalid pool '192.168.1.100 to 199' "
            + "(expected a range like 192.168.1.100-192.168.1.199)"),
    ])
    func poolInsideSubnet(pool: String, message: String) {
        let yaml = baseInventory.replacingFirst("pool: 192.168.1.100-192.168.1.199", with: "pool: \(pool)")
        #expect(findings(yaml, existingFiles: baseFiles) == ["nodes.yaml:8:11: " + message])
    }

    @Test func referencedGroupsAndImagesExist() {
        let yaml = baseInventory + """
              n1:
                mac: 52:54:00:00:00:01
                ip: 192.168.1.11
                groups: [compute, computer, gpu]
                image: rhel7
            """
        #expect(findings(yaml, existingFiles: baseFiles) == [
            "nodes.yaml:22:23: node n1: group 'computer' is not defined (did you mean 'compute'?)",
            "nodes.yaml:22:33: node n1: group 'gpu' is not defined",
            "nodes.yaml:23:12: node n1: image 'rhel7' is not defined (did you mean 'rhel6'?)",
        ])
    }

    @Test func groupImageMustExist() {
        let yaml = baseInventory.replacingFirst("    image: rhel6", with: "    image: rhle6")
        #expect(findings(yaml, existingFiles: baseFiles) == [
            "nodes.yaml:17:12: group compute: image 'rhle6' is not defined (did you mean 'rhel6'?)",
        ])
    }

    @Test(arguments: [
        ("node_1", "nodes.yaml:19:3: node node_1: 'node_1' is not a valid host name "
            + "(letters, digits and inner hyphens, at most 63 characters)"),
        ("-node", "nodes.yaml:19:3: node -node: '-node' is not a valid host name "
            + "(letters, digits and inner hyphens, at most 63 characters)"),
        ("node.one", "nodes.yaml:19:3: node node.one: 'node.one' is not a valid host name "
            + "(letters, digits and inner hyphens, at most 63 characters)"),
        (String(repeating: "n", count: 64), "nodes.yaml:19:3: node \(String(repeating: "n", count: 64)): '"
            + String(repeating: "n", count: 64) + "' is not a valid host name "
            + "(letters, digits and inner hyphens, at most 63 characters)"),
    ])
    func nodeNamesAreHostnames(name: String, expected: String) {
        let yaml = baseInventory + "  \(name):\n    mac: 52:54:00:00:00:01\n    ip: 192.168.1.11\n"
        #expect(findings(yaml, existingFiles: baseFiles) == [expected])
    }

    @Test func explicitHostnamesMustBeValidAndUnique() {
        let yaml = baseInventory + """
              n1:
                mac: 52:54:00:00:00:01
                ip: 192.168.1.11
                hostname: head.cluster.local
              n2:
                mac: 52:54:00:00:00:02
                ip: 192.168.1.12
                hostname: HEAD.cluster.local
              n3:
                mac: 52:54:00:00:00:03
                ip: 192.168.1.13
                hostname: bad_host
            """
        #expect(findings(yaml, existingFiles: baseFiles) == [
            "nodes.yaml:26:15: node n2: host name 'HEAD.cluster.local' is already used by node n1 (line 22)",
            "nodes.yaml:30:15: node n3: invalid hostname 'bad_host' (expected a host name like compute1)",
        ])
    }

    @Test(arguments: ["12x", "h", "0", "30m1h", "-5", "99999999999"])
    func durationsParse(text: String) {
        let yaml = baseInventory.replacingFirst("    pool:", with: "    lease_time: \(text)\n    pool:")
        #expect(findings(yaml, existingFiles: baseFiles) == [
            "nodes.yaml:8:17: network provision: invalid lease_time '\(text)' "
                + "(expected a duration like 12h, 30m, 1h30m, 3600 or infinite)",
        ])
    }

    @Test func unknownKeysEverywhereWithSuggestions() {
        let yaml = """
            sever:
              interface: br0
            server:
              interfaces: br0
              tftproot: ../images
            networks:
              p:
                subnet: 10.0.0.0/24
                leasetime: 1h
                gateway: 10.0.0.1
            images:
              i:
                kernal: i/vmlinuz
            groups:
              g:
                mac: 52:54:00:00:00:01
            """
        #expect(load(yaml).diagnostics.errors.map(\.description) == [
            "nodes.yaml:1:1: unknown key 'sever' (did you mean 'server'?)",
            "nodes.yaml:3:1: server: missing required key 'interface'",
            "nodes.yaml:4:3: server: unknown key 'interfaces' (did you mean 'interface'?)",
            "nodes.yaml:5:3: server: unknown key 'tftproot' (did you mean 'tftp_root'?)",
            "nodes.yaml:9:5: network p: unknown key 'leasetime' (did you mean 'lease_time'?)",
            "nodes.yaml:10:5: network p: unknown key 'gateway'",
            "nodes.yaml:12:3: image i: missing required key 'kernel'",
            "nodes.yaml:13:5: image i: unknown key 'kernal' (did you mean 'kernel'?)",
            "nodes.yaml:16:5: group g: key 'mac' is not allowed here; 'mac' belongs to each node, not to a group",
        ])
    }

    @Test func requiredKeysAndSections() {
        #expect(findings("networks: {}\n") == [
            "nodes.yaml:1:1: missing required section 'server' (it needs an 'interface:')",
        ])
        let yaml = baseInventory + "  n1:\n    groups: [compute]\n"
        #expect(findings(yaml, existingFiles: baseFiles) == [
            "nodes.yaml:19:3: node n1: missing required key 'mac'",
            "nodes.yaml:19:3: node n1: missing required key 'ip'",
        ])
    }

    @Test func wrongShapes() {
        let yaml = baseInventory + "  n1:\n    mac: [52:54:00:00:00:01]\n    ip: 192.168.1.11\n  n2: compute\n"
        #expect(findings(yaml, existingFiles: baseFiles) == [
            "nodes.yaml:20:10: node n1: 'mac' must be a single value, found a list",
            "nodes.yaml:22:7: node n2: expected a mapping of keys, found 'compute'",
        ])
    }

    @Test func subnetsAreCIDRWithoutHostBitsAndDoNotOverlap() {
        let yaml = """
            server: {interface: br0}
            networks:
              a: {subnet: 10.0.0.0/16}
              b: {subnet: 10.0.1.0/24}
              c: {subnet: 10.1.0.7/24}
              d: {subnet: 10.2.0.0/33}
            """
        #expect(load(yaml).diagnostics.errors.map(\.description) == [
            "nodes.yaml:4:15: network b: subnet 10.0.1.0/24 overlaps network a (10.0.0.0/16)",
            "nodes.yaml:5:15: network c: subnet '10.1.0.7/24' has host bits set (did you mean '10.1.0.0/24'?)",
            "nodes.yaml:6:15: network d: invalid subnet '10.2.0.0/33' (expected CIDR like 192.168.1.0/24)",
        ])
    }

    @Test func routerInsideSubnet() {
        let yaml = baseInventory.replacingFirst("router: 192.168.1.1", with: "router: 192.168.2.1")
        #expect(findings(yaml, existingFiles: baseFiles) == [
            "nodes.yaml:7:13: network provision: router 192.168.2.1 is outside subnet 192.168.1.0/24",
        ])
    }

    @Test func tftpPathsStayInsideTheRoot() {
        let yaml = baseInventory.replacingFirst("kernel: rhel6/vmlinuz", with: "kernel: ../etc/shadow")
            .replacingFirst("initrd: rhel6/initrd.img", with: "initrd: /boot/initrd.img")
        #expect(findings(yaml, existingFiles: baseFiles) == [
            "nodes.yaml:11:13: image rhel6: kernel '../etc/shadow' must be a relative path inside tftp_root, "
                + "like rhel6/vmlinuz",
            "nodes.yaml:12:13: image rhel6: initrd '/boot/initrd.img' must be a relative path inside tftp_root, "
                + "like rhel6/vmlinuz",
        ])
    }

    @Test func rootPathNamesTheNFSServer() {
        let yaml = baseInventory.replacingFirst("root_path: nfs:192.168.1.200:/", with: "root_path: nfs:/srv/root")
        #expect(findings(yaml, existingFiles: baseFiles) == [
            "nodes.yaml:13:16: image rhel6: invalid root_path 'nfs:/srv/root' "
                + "(expected nfs:SERVER:/PATH, e.g. nfs:192.168.1.200:/srv/root)",
        ])
    }

    @Test func missingBootFilesAreWarningsNotErrors() {
        let result = load(baseInventory + "  n1: {mac: 52:54:00:00:00:01, ip: 192.168.1.11, groups: [compute]}\n")
        #expect(result.inventory != nil)
        #expect(result.diagnostics.map(\.description) == [
            "nodes.yaml:11:13: warning: image rhel6: kernel 'rhel6/vmlinuz' not found under tftp_root /srv/images",
            "nodes.yaml:12:13: warning: image rhel6: initrd 'rhel6/initrd.img' not found under tftp_root /srv/images",
        ])
    }

    @Test func bridgeSettings() {
        let yaml = "server: {interface: br0}\nbridge:\n  name: br0\n  uplink: br0\n  forward_delay: 45\n  stp: maybe\n"
        #expect(load(yaml).diagnostics.errors.map(\.description) == [
            "nodes.yaml:4:11: bridge: the uplink cannot be the bridge itself ('br0')",
            "nodes.yaml:5:18: bridge: invalid forward_delay '45' (expected whole seconds from 0 to 30)",
            "nodes.yaml:6:8: bridge: invalid stp 'maybe' (expected true or false)",
        ])
    }

    @Test func stpNeedsAForwardDelayTheKernelAccepts() {
        let yaml = "server: {interface: br0}\nbridge:\n  name: br0\n  stp: true\n"
        #expect(load(yaml).diagnostics.errors.map(\.description) == [
            "nodes.yaml:4:8: bridge: with stp: true the forward_delay must be 2 to 30 seconds",
        ])
        #expect(load(yaml + "  forward_delay: 2\n").inventory?.bridge?.stp == true)
    }

    @Test func yamlSyntaxAndDuplicateKeysHaveLocations() {
        #expect(findings("server:\n  interface: br0\nnodes: [\n") == [
            "nodes.yaml:4:1: not valid YAML: did not find expected node content (while parsing a flow node)",
        ])
        let duplicate = "server:\n  interface: br0\nnodes:\n  n1: {mac: 52:54:00:00:00:01}\n  n1: {mac: 52:54:00:00:00:02}\n"
        #expect(findings(duplicate) == [
            "nodes.yaml:5:3: duplicate key 'n1': each name may appear only once in a mapping",
        ])
    }

    @Test func allErrorsAreReportedInOneRun() {
        let yaml = baseInventory + (1...5).map { index in
            "  n\(index): {mac: 52:54:00:00:00:0\(index % 2), ip: 192.168.1.\(10 + index % 3), image: nope}\n"
        }.joined()
        let errors = load(yaml, existingFiles: baseFiles).diagnostics.errors
        // 5 missing images, 3 repeated MACs, 2 repeated IPs.
        #expect(errors.count == 10)
        #expect(errors.map(\.location.line) == errors.map(\.location.line).sorted())
    }

    @Test func emptySectionsAreFine() {
        let result = load("server:\n  interface: br0\nnetworks: {}\nimages:\ngroups: {}\nnodes: {}\n")
        #expect(result.diagnostics.errors.isEmpty)
        #expect(result.inventory?.nodes.isEmpty == true)
    }

    @Test func yamlMergeKeysAreHonoured() {
        let yaml = baseInventory + """
              n1: &base
                mac: 52:54:00:00:00:01
                ip: 192.168.1.11
                groups: [compute]
              n2:
                <<: *base
                mac: 52:54:00:00:00:02
                ip: 192.168.1.12
            """
        let inventory = load(yaml, existingFiles: baseFiles).inventory
        #expect(inventory?.profile(named: "n2")?.image?.value == "rhel6")
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else {
            Issue.record("'\(target)' not in the base inventory")
            return self
        }
        return replacingCharacters(in: range, with: replacement)
    }
}
