// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "netroot",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "netroot", targets: ["netroot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // C libraries from Debian, linked through pkg-config.
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CNetlink", pkgConfig: "libnl-route-3.0",
                       providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]),

        // Network byte order: packing and unpacking integers, in one place.
        .target(name: "ByteOrder"),

        // Value types every module shares and that depend on nothing: untrusted text made safe where it enters.
        .target(name: "Values"),

        // The common jobs done once: the log throttle (keyed, clock injected) and the secret-file reader.
        .target(name: "Support", dependencies: ["CSyscalls", "Values", .product(name: "Logging", package: "swift-log")]),

        // One HTTP/1.1 service for both listeners (HTTP boot, ops/dashboard): connection limits, head and idle
        // timeouts, one response in flight per connection, files opened only when their response starts.
        .target(name: "HTTPService", dependencies: [
            "Support", "Values",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // nodes.yaml: model, validation with file:line:col, resolution into boot profiles.
        .target(name: "Inventory", dependencies: ["Support", "Values", .product(name: "Yams", package: "Yams")]),

        // DHCPv4: wire format, policy and leases are pure; the transport is NIO plus raw frames.
        // The DHCPv4 wire format: messages and options as value types, decoded and encoded (pure; no inventory).
        .target(name: "DHCPWire", dependencies: ["ByteOrder", "Values"]),
        .target(name: "DHCP", dependencies: ["BootConfig", "ByteOrder", "DHCPWire", "Inventory", "Values"]),

        // openat2(2) for the TFTP root, setns(2) for containers (Swift cannot call syscall(2) or see setns).
        .target(name: "CSyscalls"),

        // TFTP: packet codec, negotiation, the transfer state machine (pure) and the escape-proof file root.
        // A directory no request can escape (openat2 RESOLVE_BENEATH): TFTP and HTTP boot open files through it.
        .target(name: "FileRoot", dependencies: ["CSyscalls"]),
        .target(name: "TFTP", dependencies: ["ByteOrder", "CSyscalls", "FileRoot"]),

        // Per-client boot timelines kept in memory for `netroot status`, and their text (pure).
        .target(name: "BootTimeline", dependencies: ["Inventory", "Values"]),

        // pxelinux / syslinux.efi configs rendered from the inventory (pure).
        .target(name: "BootConfig", dependencies: ["Inventory"]),

        // One accepted inventory with its responder and boot configs, swapped whole for DHCP and TFTP at once.
        .target(name: "Snapshot", dependencies: ["BootConfig", "DHCP", "Inventory"]),

        // Interface facts and binding to a device, shared by the NIO services.
        .target(name: "NetworkSupport", dependencies: [
            "Inventory",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),

        // The TFTP service: port 69 on the interface, one ephemeral port per transfer.
        .target(name: "TFTPServer", dependencies: [
            "TFTP", "BootConfig", "BootTimeline", "CSyscalls", "Inventory", "Snapshot", "Support", "Values",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // "Why didn't it boot?": rogue DHCP servers in captured frames, and the doctor's diagnosis (pure).
        .target(name: "Diagnostics", dependencies: ["BootTimeline", "ByteOrder", "DHCP", "Inventory", "Values"]),

        // The web dashboard: tiles, waterfalls, the event stream's framing, the page itself (pure).
        .target(name: "Dashboard", dependencies: ["BootTimeline", "Diagnostics", "Inventory"],
                resources: [.embedInCode("Resources/index.html"), .embedInCode("Resources/dashboard.css"),
                            .embedInCode("Resources/dashboard.js")]),

        // The bridge manager: network state, plans with their undo, rollback, `ip` rendering (pure).
        .target(name: "Bridge", dependencies: ["Inventory"]),
        // Reads the state and applies plan steps over rtnetlink with libnl-3.
        .target(name: "BridgeNetlink", dependencies: ["Bridge", "CNetlink", "CSyscalls", "Inventory", "Support"]),

        // `image import`: tar (ustar, GNU, pax, gzip) read safely into a root; docker save and OCI layers.
        .target(name: "ImageImport", dependencies: ["CSyscalls", "CZlib", "Support"]),

        // Raw Ethernet delivery to clients without an address; libpcap captures (rogue DHCP, traces).
        .target(name: "Capture", dependencies: ["ByteOrder", "CPcap", "CSyscalls"]),

        // Lease storage behind one interface: the journal (embedded default) and PostgreSQL shared by several
        // appliances; the RFC 3074 load-balancing share (pure).
        .target(name: "Leases", dependencies: [
            "DHCP", "Inventory", "Support",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),

        // The DHCP service: NIO socket bound to the interface, durable lease storage, raw-frame delivery.
        .target(name: "DHCPServer", dependencies: [
            "DHCP", "Leases", "BootTimeline", "Capture", "CSyscalls", "Inventory", "NetworkSupport", "Snapshot", "Support",
            "Values",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The HTTP boot service: per-node iPXE scripts and tftp_root's files over HTTP (sendfile, Range, keep-alive).
        .target(name: "HTTPBoot", dependencies: [
            "BootConfig", "BootTimeline", "FileRoot", "HTTPService", "Inventory", "Snapshot", "Support", "Values",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Neutral IPv6 router advertisements that end iPXE's wait for a router (pure).
        .target(name: "RouterAdvertisement"),

        // The control socket's protocol and its blocking client (`netroot status`, `doctor`, `power`): no server in it.
        .target(name: "Control", dependencies: ["BootTimeline", "Diagnostics", "Leases"]),

        // nfs-ganesha for the images nodes.yaml exports: its configuration, and a supervisor that restarts it.
        .target(name: "NFSSupervision", dependencies: [
            "Inventory", "Support",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),

        // Other DHCP servers on the provisioning interface: the passive watch and the active probe (libpcap).
        .target(name: "RogueWatch", dependencies: [
            "Capture", "Diagnostics", "Inventory", "Support",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),

        // Composes the servers as lifecycle services: reload on change, control socket, router advertisements.
        .target(name: "Appliance", dependencies: [
            "BootTimeline", "Bridge", "BridgeNetlink", "Capture", "Control", "CSyscalls", "Dashboard", "DHCP", "DHCPServer",
            "Diagnostics", "HTTPBoot", "HTTPService", "Leases", "NFSSupervision", "RogueWatch", "TFTP", "TFTPServer", "Inventory", "NetworkSupport", "RouterAdvertisement", "Snapshot",
            "Support", "Values",
            .product(name: "Yams", package: "Yams"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),

        // IPMI 2.0 over LAN (RMCP+): messages, RAKP session state machine, chassis/boot commands (pure; swift-crypto).
        .target(name: "IPMI", dependencies: [
            "ByteOrder",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        // A blocking UDP transport that runs an IPMI session to a BMC; `ipmi-probe` drives it from a shell.
        .target(name: "IPMIClient", dependencies: ["IPMI"]),
        .executableTarget(name: "ipmi-probe", dependencies: ["IPMI", "IPMIClient", "Support"], path: "Sources/IPMIProbe"),
        // Power control: one operation fanned out to many BMCs (batches, parallelism, per-node time limits) and
        // the IPMI driver; results as lines and JSON.
        .target(name: "Power", dependencies: ["BootTimeline", "IPMI", "IPMIClient", "Inventory", "Support", "Values"]),
        // The Redfish driver: ComputerSystem.Reset, the Boot override, sensors and inventory over HTTPS.
        .target(name: "Redfish", dependencies: [
            "Power", "Inventory",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // libFuzzer target for the IPMI decoders and session machine (integration/fuzz ipmi).
        .executableTarget(name: "IPMIFuzz", dependencies: ["IPMI", "FuzzSupport"]),

        // libFuzzer target for the DHCP decoder and responder (integration/fuzz dhcp builds it with -DFUZZING).
        .executableTarget(name: "DHCPFuzz", dependencies: ["DHCP", "Inventory", "FuzzSupport"]),
        // libFuzzer target for the TFTP request parser and negotiation (integration/fuzz tftp).
        .executableTarget(name: "TFTPFuzz", dependencies: ["TFTP", "FuzzSupport"]),
        // What both fuzz targets do when built without libFuzzer: replay files.
        .target(name: "FuzzSupport"),

        // The command line; thin.
        .executableTarget(name: "netroot", dependencies: [
            "Appliance", "BootTimeline", "Bridge", "BridgeNetlink", "Capture", "Control", "Diagnostics", "ImageImport", "Inventory",
            "DHCP", "DHCPServer", "BootConfig", "Leases", "NetworkSupport", "Power", "Redfish", "RogueWatch", "Support", "Values",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "InventoryTests", dependencies: ["Inventory", "HexFixtures"], exclude: ["Captures"]),
        .testTarget(name: "DHCPTests", dependencies: ["HexFixtures", "BootConfig", "DHCP"], exclude: ["Captures", "Crashers"]),
        .testTarget(name: "TFTPTests", dependencies: ["TFTP"], exclude: ["Crashers"]),
        .testTarget(name: "BootTimelineTests", dependencies: ["BootTimeline", "HexFixtures"], exclude: ["Golden"]),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "BootTimeline", "Diagnostics", "Inventory"]),
        .testTarget(name: "BridgeTests", dependencies: ["Bridge", "BridgeNetlink", "Inventory"]),
        .testTarget(name: "DiagnosticsTests", dependencies: ["HexFixtures", "Diagnostics", "BootTimeline", "DHCP", "Inventory"],
                    exclude: ["Captures"]),
        .testTarget(name: "ImageImportTests", dependencies: ["ImageImport"], exclude: ["Fixtures"]),
        .testTarget(name: "ApplianceTests", dependencies: ["Appliance", "BootTimeline", "Control", "Dashboard", "Inventory",
                                                           "NFSSupervision", "RouterAdvertisement", "Snapshot"]),
        .testTarget(name: "BootConfigTests", dependencies: ["BootConfig", "Inventory"]),
        .testTarget(name: "CaptureTests", dependencies: ["HexFixtures", "Capture"], exclude: ["Captures"]),
        .testTarget(name: "DHCPServerTests", dependencies: [
            "HexFixtures", "DHCPServer", "DHCP", "Leases", "BootTimeline", "Dashboard", "Diagnostics", "Inventory",
            "NetworkSupport", "Snapshot", "Support",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["Golden"]),
        .testTarget(name: "TFTPServerTests", dependencies: [
            "TFTPServer", "TFTP", "CSyscalls", "Inventory", "BootConfig", "BootTimeline", "Snapshot", "Support",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .testTarget(name: "ByteOrderTests", dependencies: ["ByteOrder"]),
        // The hex fixture reader the test targets share (captures of real peers).
        .target(name: "HexFixtures", path: "Tests/HexFixtures"),
        .testTarget(name: "IPMITests", dependencies: ["HexFixtures", "IPMI", "ByteOrder"]),
        .testTarget(name: "PowerTests", dependencies: ["Power", "Inventory"]),
        .testTarget(name: "RedfishTests", dependencies: ["Redfish", "Power", "Inventory"], exclude: ["Fixtures"]),
        .testTarget(name: "HTTPBootTests", dependencies: ["HTTPBoot", "Inventory"]),
        .testTarget(name: "LeasesTests", dependencies: [
            "Leases", "DHCP", "Inventory",
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "SystemLibrariesTests", dependencies: ["CPcap", "CNetlink"]),
        .testTarget(name: "ValuesTests", dependencies: ["Values"]),
        .testTarget(name: "SupportTests", dependencies: ["CSyscalls", "Support", "Values",
                                                         .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "HTTPServiceTests", dependencies: [
            "HTTPService", "Support",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The built `netroot` run as a program (check, nodes, --help, completion): the command-line checks that need
        // no privileges and no network. It finds the binary beside the test bundle (swift build builds both).
        .testTarget(name: "CLITests"),
    ],
    swiftLanguageModes: [.v6]
)
