import Foundation
import Testing

/// The built `netroot` binary run as an administrator runs it, on the shipped example and on inventories written
/// here: `check`, `nodes list`, `nodes show`, `--help`, the completion script. These need no privileges and no
/// network (they were integration/cli-check, and the config-only checks of other integration scripts).
@Suite("netroot's command line, run as a program")
struct CLITests {
    // MARK: the shipped example, in the checkout

    @Test func checkOfTheShippedExample() throws {
        let run = try CLI.netroot("check", "config/nodes.yaml")
        #expect(run.status == 0, "check config/nodes.yaml exits 0")
        #expect(run.lines.contains("config/nodes.yaml: OK: 4 nodes, 1 network, 1 image, 1 group (2 warnings)"),
                "check prints a one-line summary: \(run.output)")
        #expect(run.lines.contains {
            $0.hasPrefix("config/nodes.yaml:33:13: warning: image debian12: kernel 'debian12/vmlinuz' not found")
        }, "missing kernel is a warning with line:col: \(run.output)")
    }

    @Test func checkWithoutConfigInTheCheckoutReadsConfigNodesYAML() throws {
        let run = try CLI.netroot("check")
        #expect(run.lines.contains { $0.hasPrefix("config/nodes.yaml: OK") }, "\(run.output)")
    }

    @Test(.enabled(if: !FileManager.default.fileExists(atPath: "/etc/netroot/nodes.yaml"),
                   "/etc/netroot/nodes.yaml exists on this machine"))
    func checkElsewhereReadsEtcNetroot() throws {
        try CLI.inScratchDirectory { work in
            let run = try CLI.netroot("check", in: work)
            #expect(run.status == 1, "absent here: exit 1")
            #expect(run.lines.contains { $0.hasPrefix("/etc/netroot/nodes.yaml:1:1: the inventory does not exist") },
                    "\(run.output)")
        }
    }

    @Test func nodesList() throws {
        let run = try CLI.netroot("nodes", "list")
        #expect(run.status == 0, "nodes list exits 0")
        #expect(run.lines.count == 5, "a header and four rows: \(run.output)")
        #expect(run.lines.contains {
            $0.matches(#"^compute4 +52:54:00:00:00:04 +192\.168\.1\.14 +debian12 +compute$"#)
        }, "row: name, MAC, IP, image, groups: \(run.output)")
    }

    @Test func nodesShowTellsWhereEachValueComesFrom() throws {
        let run = try CLI.netroot("nodes", "show", "compute4")
        #expect(run.status == 0, "nodes show exits 0")
        for (what, pattern) in [
            ("cmdline comes from the node",
             #"^cmdline +root=dhcp ro console=ttyS0 systemd\.unit=rescue\.target +node$"#),
            ("image comes from group compute", #"^image +debian12 +group compute$"#),
            ("root_path comes from image debian12",
             #"^root_path +nfs:192\.168\.1\.200:/srv/netroot/debian12 +image debian12$"#),
            ("bootfile is the default", #"^bootfile\.bios +pxelinux\.0 +default$"#),
        ] {
            #expect(run.lines.contains { $0.matches(pattern) }, "nodes show: \(what): \(run.output)")
        }
    }

    @Test func nodesShowFindsANodeByMAC() throws {
        let run = try CLI.netroot("nodes", "show", "52-54-00-00-00-02")
        #expect(run.lines.contains { $0.matches(#"^name +compute2 +node$"#) }, "\(run.output)")
    }

    @Test func nodesShowOfAnUnknownNodeSuggestsOne() throws {
        let run = try CLI.netroot("nodes", "show", "compute9", mergingErrors: true)
        #expect(run.status == 1)
        #expect(run.output.contains("did you mean 'compute1'"), "\(run.output)")
    }

    @Test func nodesListJSONHasEachNodesEffectiveImage() throws {
        let run = try CLI.netroot("nodes", "list", "--json")
        let nodes = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [[String: Any]])
        #expect(nodes.count == 4)
        #expect(nodes.allSatisfy { $0["image"] as? String == "debian12" }, "\(run.output)")
    }

    // MARK: broken inventories

    /// The acceptance case: a duplicate MAC, an IP outside every subnet, a misspelt key.
    static let brokenInventory = """
        server:
          interface: mydocker0
        networks:
          provision:
            subnet: 192.168.1.0/24
        images:
          rhel6:
            kernel: rhel6/vmlinuz
            root_path: nfs:192.168.1.200:/
        nodes:
          compute1:
            mac: 52:54:00:00:00:01
            ip: 192.168.1.11
          compute2:
            mac: 52:54:00:00:00:01
            ip: 10.0.0.12
          compute3:
            mac: 52:54:00:00:00:03
            ip: 192.168.1.13
            rootpath: nfs:192.168.1.200:/

        """

    @Test func checkOfABrokenInventoryNamesEachErrorAtItsPlace() throws {
        try CLI.inScratchDirectory { work in
            let bad = try CLI.write(Self.brokenInventory, to: "\(work)/bad.yaml")
            let run = try CLI.netroot("check", "--config", bad)
            #expect(run.status == 1, "broken inventory exits 1")
            #expect(run.lines.contains(
                "\(bad):15:10: node compute2: MAC 52:54:00:00:00:01 is already used by node compute1 (line 12)"),
                "duplicate MAC reported at 15:10: \(run.output)")
            #expect(run.lines.contains("\(bad):16:9: node compute2: IP 10.0.0.12 is not inside any network's subnet "
                                       + "(declared: provision 192.168.1.0/24)"),
                "IP outside every subnet reported at 16:9: \(run.output)")
            #expect(run.lines.contains(
                "\(bad):20:5: node compute3: unknown key 'rootpath' (did you mean 'root_path'?)"),
                "misspelt key suggests root_path: \(run.output)")
            let errors = run.lines.filter { $0.hasPrefix(bad + ":") && $0.matches(#"^[^:]+:[0-9]+:[0-9]+: node"#) }
            #expect(errors.count == 3, "exactly three errors: \(run.output)")
        }
    }

    @Test func nodesListRefusesAnInvalidInventoryWithItsErrors() throws {
        try CLI.inScratchDirectory { work in
            let bad = try CLI.write(Self.brokenInventory, to: "\(work)/bad.yaml")
            let run = try CLI.netroot("nodes", "list", "--config", bad, mergingErrors: true)
            #expect(run.status == 1)
            #expect(run.output.contains(":20:5: node compute3"), "\(run.output)")
        }
    }

    /// Secret files others can read: a warning naming the file and its key (exit 0); 0600 files: none.
    @Test func secretFilesOthersCanReadAreWarnedAbout() throws {
        try CLI.inScratchDirectory { work in
            let token = try CLI.write("T0ken \n", to: "\(work)/token", mode: 0o644)
            let password = try CLI.write("pw\n", to: "\(work)/db-password", mode: 0o644)
            let inventory = try CLI.write("""
                server:
                  interface: mydocker0
                  tftp_root: /
                  http: 0.0.0.0:9100
                  http_token_file: token
                  leases:
                    backend: postgresql
                    url: postgresql://netroot@db1/netroot
                    password_file: db-password

                """, to: "\(work)/secrets.yaml")
            var run = try CLI.netroot("check", inventory)
            #expect(run.status == 0, "secret files others can read: check exits 0")
            let readable = "is readable by group and others (mode 0644); chmod 600 it"
            #expect(run.lines.contains("\(inventory):5:20: warning: server: http_token_file \(token) \(readable)"),
                    "a 0644 http_token_file is a warning at its key: \(run.output)")
            #expect(run.lines.contains(
                "\(inventory):9:20: warning: server.leases: password_file \(password) \(readable)"),
                "a 0644 server.leases password_file is a warning at its key: \(run.output)")
            #expect(chmod(token, 0o600) == 0 && chmod(password, 0o600) == 0)
            run = try CLI.netroot("check", inventory)
            #expect(run.status == 0 && !run.output.contains("readable by"),
                    "0600 secret files: check exits 0 without a warning about them: \(run.output)")
        }
    }

    /// An inventory with containers: gets a note at the `containers:` key that the shipped systemd unit needs
    /// config/netroot-containers.conf (exit 0, not counted as a warning); one without them gets none.
    @Test func containersGetANoteAboutTheSystemdDropIn() throws {
        try CLI.inScratchDirectory { work in
            let inventory = try CLI.write("""
                server:
                  interface: nrbr0
                  tftp_root: /
                bridge: {name: nrbr0, uplink: eth0}
                networks:
                  lan: {subnet: 10.210.0.0/24}
                containers:
                  nfsroot: {address: 10.210.0.60/24, netns: /run/netns/nfsroot}

                """, to: "\(work)/containers.yaml")
            var run = try CLI.netroot("check", inventory)
            #expect(run.status == 0, "containers: check still exits 0: \(run.output)")
            #expect(run.lines.contains("\(inventory):7:1: note: containers: under the shipped systemd unit "
                                           + "(config/netroot.service), entering the containers' network namespaces "
                                           + "needs the drop-in config/netroot-containers.conf in "
                                           + "/etc/systemd/system/netroot.service.d/"),
                    "a note at the containers: key: \(run.output)")
            #expect(run.lines.contains { $0.hasPrefix("\(inventory): OK:") && !$0.contains("warning") },
                    "the note is not counted as a warning: \(run.output)")
            let without = try CLI.write("""
                server:
                  interface: nrbr0
                  tftp_root: /
                networks:
                  lan: {subnet: 10.210.0.0/24}

                """, to: "\(work)/plain.yaml")
            run = try CLI.netroot("check", without)
            #expect(run.status == 0 && !run.output.contains("note:"), "no containers: no note: \(run.output)")
        }
    }

    /// serve refuses a state_dir others may write in (they could replace the lease journal) before it binds
    /// anything, and says why.
    @Test func serveRefusesAStateDirectoryOthersMayWriteIn() throws {
        try CLI.inScratchDirectory { work in
            let state = work + "/state"
            #expect(mkdir(state, 0o777) == 0 && chmod(state, 0o777) == 0)
            let inventory = try CLI.write("""
                server:
                  interface: lo
                  tftp_root: /
                  state_dir: \(state)

                """, to: "\(work)/state.yaml")
            let run = try CLI.netroot(["serve", "--config", inventory, "--dhcp-port", "0", "--tftp-port", "0"],
                                      mergingErrors: true)
            #expect(run.status == 1, "serve exits 1: \(run.output)")
            #expect(run.output.contains("state_dir \(state): its group or others may write in it (mode 777)"),
                    "\(run.output)")
        }
    }

    /// From integration/dashboard: a listener others can reach needs a token.
    @Test func checkRefusesANonLoopbackHTTPListenerWithoutAToken() throws {
        try CLI.inScratchDirectory { work in
            let inventory = try CLI.write("""
                server:
                  interface: nrdashbr
                  tftp_root: \(work)
                  state_dir: \(work)/state
                  http: "10.207.0.1:9100"
                networks:
                  provision: {subnet: 10.207.0.0/24, router: 10.207.0.1}

                """, to: "\(work)/nodes.yaml")
            let run = try CLI.netroot("check", "--config", inventory, mergingErrors: true)
            #expect(run.output.contains("http listens on 10.207.0.1, not loopback: set http_token_file"),
                    "\(run.output)")
        }
    }

    /// From integration/rogue-probe: the probe's interval is minutes or off, refused in place otherwise.
    @Test func checkRefusesARogueProbeIntervalOfSeconds() throws {
        try CLI.inScratchDirectory { work in
            try FileManager.default.createDirectory(atPath: "\(work)/tftp", withIntermediateDirectories: false)
            let inventory = try CLI.write("""
                server:
                  interface: nrrpeth0
                  tftp_root: \(work)/tftp
                  state_dir: \(work)/state
                  router_advertisements: false
                  rogue_probe_interval: 5s
                networks:
                  provision: {subnet: 10.209.0.0/24}

                """, to: "\(work)/nodes.yaml")
            let run = try CLI.netroot("check", "--config", inventory, mergingErrors: true)
            #expect(run.output.contains("nodes.yaml:6:25: server: invalid rogue_probe_interval '5s'"),
                    "check refuses rogue_probe_interval: 5s at line 6, column 25: \(run.output)")
        }
    }

    /// From integration/ha: server.leases settings that cannot work are refused by check, before any database.
    @Test func checkRefusesAnUnparsableLeaseURLAndAMissingPasswordFile() throws {
        try CLI.inScratchDirectory { work in
            let password = try CLI.write("secret\n", to: "\(work)/pgpw", mode: 0o600)
            func inventory(_ name: String, url: String, passwordFile: String) throws -> String {
                try CLI.write("""
                    server:
                      interface: nrha0
                      address: 10.77.0.2
                      tftp_root: \(work)
                      state_dir: \(work)/state-\(name)
                      leases:
                        backend: postgresql
                        url: "\(url)"
                        password_file: \(passwordFile)
                        name: \(name)
                    networks:
                      provision: {subnet: 10.77.0.0/24, router: 10.77.0.1, pool: 10.77.0.20-10.77.0.250}

                    """, to: "\(work)/\(name).yaml")
            }
            let good = try inventory("good", url: "postgresql://netroot@localhost/netroot?host=\(work)/sock",
                                     passwordFile: password)
            #expect(try CLI.netroot("check", "--config", good).status == 0, "the same inventory with a good url passes")
            let badURL = try inventory("badurl", url: "postgresql://net root@/x y", passwordFile: password)
            let run = try CLI.netroot("check", "--config", badURL, mergingErrors: true)
            let named = run.lines.contains {
                $0.hasPrefix(badURL + ":") && $0.matches(#"^[^:]+:[0-9]+:[0-9]+: .*server\.leases.*url"#)
            }
            #expect(run.status != 0 && named,
                    "an unparsable url: check fails naming file:line:col and server.leases url: \(run.output)")
            let noPassword = try inventory("nopw", url: "postgresql://netroot@localhost/netroot?host=\(work)/sock",
                                           passwordFile: "\(work)/no-such-file")
            #expect(try CLI.netroot("check", "--config", noPassword, mergingErrors: true).status != 0,
                    "a missing password_file: check fails")
        }
    }

    // MARK: help and completion

    @Test func checkHelpShowsExamples() throws {
        #expect(try CLI.netroot("check", "--help").output.contains("netroot check config/nodes.yaml"))
    }

    @Test(arguments: [
        "serve", "check", "nodes list", "nodes show", "nodes add", "nodes set", "nodes remove", "networks detect",
        "leases", "leases init-db", "leases forget", "status", "doctor", "trace", "bridge", "image import",
        "pxe-config", "probe",
    ])
    func everyCommandsHelpHasAnExample(command: String) throws {
        let words = command.split(separator: " ").map(String.init)
        let run = try CLI.netroot(words + ["--help"], mergingErrors: true)
        #expect(run.output.lowercased().contains("example"), "\(command) --help: \(run.output)")
    }

    /// From integration/rogue-probe.
    @Test func probeHelpGivesTheExitStatus() throws {
        let run = try CLI.netroot("probe", "--help", mergingErrors: true)
        #expect(run.output.lowercased().contains("exit status"), "\(run.output)")
    }

    @Test func aBashCompletionScriptWithTheSubcommands() throws {
        let run = try CLI.netroot("--generate-completion-script", "bash")
        #expect(run.output.contains("doctor") && run.output.contains("serve"))
    }
}

/// Running the binary the build put beside this test bundle.
enum CLI {
    /// The checkout: this file is Tests/CLITests/CLITests.swift in it.
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// `netroot` in the directory of the test bundle (.build/debug/ holds both), or a directory above it.
    static let binary: String? = {
        var directories = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                           Bundle.main.bundleURL]
        directories += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for start in directories {
            var directory = start.resolvingSymlinksInPath()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("netroot").path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                directory.deleteLastPathComponent()
            }
        }
        return nil
    }()

    struct Run {
        let status: Int32
        /// Standard output, or standard output and error together (`2>&1`).
        let output: String
        /// The output's lines, empty ones left out.
        var lines: [String] { output.split(separator: "\n").map(String.init) }
    }

    static func netroot(_ arguments: String..., in directory: String = checkout,
                        mergingErrors: Bool = false) throws -> Run {
        try netroot(arguments, in: directory, mergingErrors: mergingErrors)
    }

    /// Runs netroot with ARGUMENTS in DIRECTORY, its output through a file (no pipe to fill up), as the shell's
    /// `out=$(netroot …)` or, mergingErrors, `out=$(netroot … 2>&1)`.
    static func netroot(_ arguments: [String], in directory: String = checkout,
                        mergingErrors: Bool = false) throws -> Run {
        let binary = try #require(binary, "no netroot executable beside the test bundle: swift build first")
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("netroot-cli-\(UUID()).out").path
        guard FileManager.default.createFile(atPath: outputPath, contents: nil) else {
            throw CLIError.cannotCreate(outputPath)
        }
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = FileHandle.nullDevice
        // Under the AddressSanitizer run the binary beside the bundle is instrumented too: its exit is no leak test.
        var environment = ProcessInfo.processInfo.environment
        environment["ASAN_OPTIONS"] = (environment["ASAN_OPTIONS"].map { $0 + ":" } ?? "") + "detect_leaks=0"
        process.environment = environment
        process.standardOutput = output
        process.standardError = mergingErrors ? output : FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: outputPath)), as: UTF8.self)
        return Run(status: process.terminationStatus, output: text)
    }

    /// A fresh directory for the test's files, removed after BODY.
    static func inScratchDirectory(_ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("netroot-cli-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(directory)
    }

    /// Writes TEXT to PATH with MODE; returns PATH.
    @discardableResult
    static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws -> String {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw CLIError.cannotCreate(path)
        }
        guard chmod(path, mode) == 0 else { throw CLIError.cannotCreate(path) }
        return path
    }

    enum CLIError: Error { case cannotCreate(String) }
}

extension String {
    /// Whether the regular expression PATTERN matches somewhere in self (^ and $ anchor it: each line is tested alone).
    func matches(_ pattern: String) -> Bool { range(of: pattern, options: .regularExpression) != nil }
}
