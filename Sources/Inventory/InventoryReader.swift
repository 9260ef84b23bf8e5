import Yams

/// Reads a composed inventory: each section on its own (`…SectionReader`), then what the sections say about
/// each other (`CrossReferences`), reporting every problem it meets.
struct InventoryReader {
    let collector: DiagnosticCollector
    let baseDirectory: String
    let fileExists: (String) -> Bool
    let fileMode: (String) -> UInt32?
    /// The file a secret file's path is read from (`SecretFile.location`: its systemd credential when there is one).
    let secretLocation: (String) -> String
    /// The first bytes of a file under tftp_root (a kernel, for `secure_boot`'s signature warning).
    let fileHead: (String) -> [UInt8]?

    init(collector: DiagnosticCollector, baseDirectory: String, fileExists: @escaping (String) -> Bool,
         fileMode: @escaping (String) -> UInt32? = { _ in nil },
         secretLocation: @escaping (String) -> String = { $0 },
         fileHead: @escaping (String) -> [UInt8]? = { _ in nil }) {
        self.collector = collector
        self.baseDirectory = baseDirectory
        self.fileExists = fileExists
        self.fileMode = fileMode
        self.secretLocation = secretLocation
        self.fileHead = fileHead
    }

    /// The server section once read, even when other sections have errors.
    private(set) var server: ServerSettings?

    mutating func read(_ root: Yams.Node) -> Inventory? {
        guard let top = collector.fields(of: root, subject: nil, ownerLocation: root.location,
                                         allowed: InventoryLoader.sections) else { return nil }
        let secrets = SecretFileCheck(fileExists: fileExists, fileMode: fileMode, location: secretLocation)
        let server = ServerSectionReader(collector: collector, baseDirectory: baseDirectory, fileExists: fileExists,
                                         secrets: secrets).read(top)
        self.server = server
        let networks = NetworksSectionReader(collector: collector).read(top["networks"])
        let images = ImagesSectionReader(collector: collector).read(top["images"])
        let bmcReader = BMCReader(collector: collector, baseDirectory: baseDirectory, fileExists: fileExists,
                                  fileMode: fileMode, secrets: secrets)
        let groups = GroupsSectionReader(collector: collector, bmcReader: bmcReader).read(top["groups"])
        let bridge = top["bridge"].flatMap(BridgeSectionReader(collector: collector).read)
        let nodes = NodesSectionReader(collector: collector, bmcReader: bmcReader).read(top["nodes"])
        let containerSection = ContainersSectionReader(collector: collector)
            .read(top["containers"], sectionLocation: top.entries["containers"]?.key.location)

        let references = CrossReferences(collector: collector, fileExists: fileExists, server: server,
                                         networks: networks)
        references.checkPools()
        references.checkBootFiles(images)
        references.checkExports(images)
        references.checkReferences(groups.imageReferences + nodes.imageReferences, kind: "image",
                                   declared: images.declared)
        references.checkReferences(nodes.groupReferences, kind: "group", declared: groups.declared)
        for (ip, subject) in nodes.addresses { references.checkAddress(ip, subject: subject) }
        references.checkBMCProtocols(nodes: nodes.nodes, nodeEntries: nodes.bmcEntries, groupEntries: groups.bmcEntries)
        references.checkSharedBMCs(nodes: nodes.nodes, nodeEntries: nodes.bmcEntries, groupEntries: groups.bmcEntries)
        let containers = references.resolveContainers(containerSection, bridge: bridge, nodes: nodes.nodes)

        guard let server, !collector.hasErrors else { return nil }
        let inventory = Inventory(file: collector.file, server: server, bridge: bridge, networks: networks.networks,
                                  images: images.images, groups: groups.groups, nodes: nodes.nodes,
                                  containers: containers)
        // Needs each node's resolved boot path, so it runs on the inventory the sections make.
        SecureBootCheck(collector: collector, fileHead: fileHead, fileExists: fileExists).check(inventory)
        return collector.hasErrors ? nil : inventory
    }
}
