import Inventory
import Testing

/// Values are refused when the place they are written into cannot carry them: a pxelinux config line,
/// a DHCP option or field, a path. Each refusal names file:line:col and the reason, on one line.
@Suite struct FittingValueTests {
    // MARK: pxelinux: one line, no control characters

    @Test func cmdlineWithANewlineIsRefused() {
        let yaml = baseInventory.replacingFirst("cmdline: root=dhcp ro",
                                                with: #"cmdline: "root=dhcp ro\nKERNEL http://evil/vmlinuz""#)
        #expect(findings(yaml, existingFiles: baseFiles) == [
            #"nodes.yaml:14:14: image rhel6: cmdline 'root=dhcp ro\nKERNEL http://evil/vmlinuz' contains a newline "#
                + "(character 13); the pxelinux config takes it as one line, which cannot hold control characters",
        ])
    }

    @Test func cmdlineOfAGroupOrANodeIsRefusedToo() {
        let yaml = baseInventory.replacingFirst("    image: rhel6", with: "    image: rhel6\n    cmdline: \"a\\rb\"")
            + "  n1: {mac: 52:54:00:00:00:01, ip: 192.168.1.11, cmdline: \"quiet\\u001b[2J\"}\n"
        #expect(findings(yaml, existingFiles: baseFiles) == [
            #"nodes.yaml:18:14: group compute: cmdline 'a\rb' contains a carriage return (character 2); "#
                + "the pxelinux config takes it as one line, which cannot hold control characters",
            #"nodes.yaml:20:59: node n1: cmdline 'quiet\u{1B}[2J' contains a control character U+001B "#
                + "(character 6); the pxelinux config takes it as one line, which cannot hold control characters",
        ])
    }

    @Test func kernelAndInitrdAreOneWordOnOneLine() {
        let yaml = baseInventory.replacingFirst("kernel: rhel6/vmlinuz", with: #"kernel: "rhel6/vmlinuz\nAPPEND x""#)
            .replacingFirst("initrd: rhel6/initrd.img", with: "initrd: rhel6/initrd.img init=/bin/sh")
        #expect(findings(yaml, existingFiles: baseFiles) == [
            #"nodes.yaml:11:13: image rhel6: kernel 'rhel6/vmlinuz\nAPPEND x' contains a newline (character 14); "#
                + "the pxelinux config takes it as one line, which cannot hold control characters",
            "nodes.yaml:12:13: image rhel6: initrd 'rhel6/initrd.img init=/bin/sh' contains a space; "
                + "pxelinux ends a file name at the first space (kernel arguments belong in cmdline)",
        ])
    }

    @Test func imageNamesLandInTheConfigAndAreOneLineToo() {
        let yaml = baseInventory.replacingFirst("  rhel6:\n", with: "  \"rhel6\\nDEFAULT evil\":\n")
            .replacingFirst("image: rhel6", with: "image: \"rhel6\\nDEFAULT evil\"")
        #expect(findings(yaml, existingFiles: baseFiles) == [
            #"nodes.yaml:10:3: image rhel6\nDEFAULT evil: the name contains a newline (character 6); "#
                + "image names are written into pxelinux configs, which cannot hold control characters",
        ])
    }

    // MARK: DHCP options and fields

    @Test func rootPathWithAControlCharacterIsRefused() {
        let yaml = baseInventory.replacingFirst("root_path: nfs:192.168.1.200:/",
                                                with: #"root_path: "nfs:192.168.1.200:/\tKERNEL x""#)
        #expect(findings(yaml, existingFiles: baseFiles) == [
            #"nodes.yaml:13:16: image rhel6: root_path 'nfs:192.168.1.200:/\tKERNEL x' contains a tab "#
                + "(character 20); DHCP option 17 carries one line of text without control characters",
        ])
    }

    @Test func rootPathNFSServerIsAnAddressOrAHostName() {
        let yaml = baseInventory.replacingFirst("root_path: nfs:192.168.1.200:/", with: "root_path: nfs:bad_host:/srv")
        #expect(findings(yaml, existingFiles: baseFiles) == [
            "nodes.yaml:13:16: image rhel6: invalid root_path 'nfs:bad_host:/srv' "
                + "(expected nfs:SERVER:/PATH, e.g. nfs:192.168.1.200:/srv/root)",
        ])
    }

    @Test func bootfileMustFitTheFileField() {
        let long = String(repeating: "b", count: 124) + "/x.0"
        let yaml = baseInventory.replacingFirst("  address: 192.168.1.200",
                                                with: "  address: 192.168.1.200\n  bootfile: {bios: \(long)}")
        #expect(load(yaml, existingFiles: baseFiles).diagnostics.errors.map(\.description) == [
            "nodes.yaml:4:20: server.bootfile: bios '\(long)' is 128 bytes long; "
                + "the DHCP reply's file field holds at most 127",
        ])
    }

    @Test func bootfileIsOneLine() {
        let yaml = baseInventory.replacingFirst("  address: 192.168.1.200",
                                                with: "  address: 192.168.1.200\n  bootfile: {uefi: \"efi/x\\n\"}")
        #expect(load(yaml, existingFiles: baseFiles).diagnostics.errors.map(\.description) == [
            #"nodes.yaml:4:20: server.bootfile: uefi 'efi/x\n' contains a newline (character 6); "#
                + "the DHCP reply's file field cannot hold control characters",
        ])
    }

    @Test func moreDNSServersThanOption6CarriesAreRefused() {
        let servers = (1...64).map { "10.9.0.\($0)" }.joined(separator: ", ")
        let yaml = baseInventory.replacingFirst("    pool:", with: "    dns: [\(servers)]\n    pool:")
        #expect(findings(yaml, existingFiles: baseFiles) == [
            "nodes.yaml:8:5: network provision: 64 dns servers do not fit DHCP option 6 (255 bytes); at most 63 do",
        ])
    }

    @Test(arguments: [
        #""compute\n1""#,
        String(repeating: "a", count: 64),
        "-compute1",
        "compute1-",
        "bad_name",
        (1...64).map { _ in "abc" }.joined(separator: "."),
    ])
    func hostnamesFollowRFC1123(hostname: String) {
        let yaml = baseInventory + "  n1: {mac: 52:54:00:00:00:01, ip: 192.168.1.11, hostname: \(hostname)}\n"
        let result = load(yaml, existingFiles: baseFiles)
        #expect(result.inventory == nil)
        #expect(result.diagnostics.map(\.description).contains {
            $0.hasPrefix("nodes.yaml:19:60: node n1: invalid hostname") && !$0.contains("\n")
        })
    }

    @Test(arguments: [#""cluster\nlocal""#, "cluster..local", "-cluster.local", String(repeating: "a", count: 64)])
    func domainsFollowRFC1035(domain: String) {
        let yaml = baseInventory.replacingFirst("    pool:", with: "    domain: \(domain)\n    pool:")
        #expect(findings(yaml, existingFiles: baseFiles).first?.hasPrefix("nodes.yaml:8:13: network provision: "
                                                                          + "invalid domain") == true)
    }

    // MARK: node MACs

    @Test(arguments: [
        ("ff:ff:ff:ff:ff:ff", "MAC ff:ff:ff:ff:ff:ff is the broadcast address"),
        ("01:00:5e:00:00:01", "MAC 01:00:5e:00:00:01 is a multicast address (the low bit of its first byte is set)"),
        ("33:33:00:00:00:01", "MAC 33:33:00:00:00:01 is a multicast address (the low bit of its first byte is set)"),
        ("00:00:00:00:00:00", "MAC 00:00:00:00:00:00 is all zeros"),
    ])
    func nodeMACsAreUnicast(mac: String, reason: String) {
        let yaml = baseInventory + "  n1:\n    mac: \"\(mac)\"\n    ip: 192.168.1.11\n"
        #expect(findings(yaml, existingFiles: baseFiles) == [
            "nodes.yaml:20:10: node n1: \(reason); a node is known by its NIC's own unicast MAC",
        ])
    }

    @Test func locallyAdministeredUnicastMACsAreFine() {
        let yaml = baseInventory + "  n1:\n    mac: 02:00:00:00:00:01\n    ip: 192.168.1.11\n"
        #expect(findings(yaml, existingFiles: baseFiles).isEmpty)
    }

    // MARK: paths

    @Test func serverPathsHoldNoControlCharacters() {
        let yaml = baseInventory.replacingFirst("  address: 192.168.1.200",
                                                with: "  address: 192.168.1.200\n  state_dir: \"/var/lib/x\\ny\"")
        #expect(load(yaml, existingFiles: baseFiles).diagnostics.errors.map(\.description) == [
            #"nodes.yaml:4:14: server: state_dir '/var/lib/x\ny' contains a newline (character 11); "#
                + "a path here cannot hold control characters",
        ])
    }

    // MARK: diagnostics stay one line

    @Test func diagnosticsEscapeControlCharacters() {
        let diagnostic = Diagnostic(severity: .error, file: "nodes.yaml", location: SourceLocation(line: 1, column: 2),
                                    subject: "image a\nb", message: "x\r\ty\u{7F}")
        #expect(diagnostic.description == #"nodes.yaml:1:2: image a\nb: x\r\ty\u{7F}"#)
    }
}
