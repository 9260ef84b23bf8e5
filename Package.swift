// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "netroot",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "netroot", targets: ["netroot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // C libraries from Debian, linked through pkg-config.
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CNetlink", pkgConfig: "libnl-route-3.0",
                       providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]),

        // nodes.yaml: model, validation with file:line:col, resolution into boot profiles.
        .target(name: "Inventory", dependencies: [.product(name: "Yams", package: "Yams")]),

        // DHCPv4: wire format, policy and leases are pure; the transport is NIO plus raw frames.
        .target(name: "DHCP", dependencies: ["Inventory"]),

        // The command line; thin.
        .executableTarget(name: "netroot", dependencies: [
            "Inventory",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "InventoryTests", dependencies: ["Inventory"]),
        .testTarget(name: "DHCPTests", dependencies: ["DHCP"], exclude: ["Captures"]),
        .testTarget(name: "SystemLibrariesTests", dependencies: ["CPcap", "CNetlink"]),
    ],
    swiftLanguageModes: [.v6]
)
