import Inventory

/// Parses inventory text as `nodes.yaml` in /srv/config, where only `existingFiles` exist.
func load(_ yaml: String, existingFiles: Set<String> = ["/srv/images"]) -> InventoryLoadResult {
    InventoryLoader.parse(text: yaml, file: "nodes.yaml", baseDirectory: "/srv/config",
                          fileExists: { existingFiles.contains($0) })
}

/// The one-line forms of every finding.
func findings(_ yaml: String, existingFiles: Set<String> = ["/srv/images"]) -> [String] {
    load(yaml, existingFiles: existingFiles).diagnostics.map(\.description)
}

/// A valid inventory whose sections a test extends by appending lines (nodes start at line 18).
let baseInventory = """
    server:
      interface: br0
      address: 192.168.1.200
    networks:
      provision:
        subnet: 192.168.1.0/24
        router: 192.168.1.1
        pool: 192.168.1.100-192.168.1.199
    images:
      rhel6:
        kernel: rhel6/vmlinuz
        initrd: rhel6/initrd.img
        root_path: nfs:192.168.1.200:/
        cmdline: root=dhcp ro
    groups:
      compute:
        image: rhel6
    nodes:

    """

/// Files that make `baseInventory` free of warnings.
let baseFiles: Set<String> = ["/srv/images", "/srv/images/rhel6/vmlinuz", "/srv/images/rhel6/initrd.img"]

/// A root path the test knows to be valid.
func nfsRoot(_ text: String) -> RootPath {
    guard case .success(let rootPath) = RootPath.parse(text) else { fatalError("not a root path: \(text)") }
    return rootPath
}
