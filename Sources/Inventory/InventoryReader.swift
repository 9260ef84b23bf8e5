import Yams

/// Reads a composed inventory: each section on its own (`…SectionReader`), then what the sections say about
/// each other (`CrossReferences`), reporting every problem it meets.
struct InventoryReader {
    let collector: DiagnosticCollector
    let baseDirectory: String
    let fileExists: (String) -> Bool

    init(collector: DiagnosticCollector, baseDirectory: String, fileExists: @escaping (String) -> Bool) {
        self.collector = collector
        self.baseDirectory = baseDirectory
        self.fileExists = fileExists
    }

    /// The server section once read, even when other sections have errors.
    private(set) var server: ServerSettings?

    mutating func read(_ root: Yams.Node) -> Inventory? {
        guard let top = collector.fields(of: root, subject: nil, ownerLocation: root.location,
                                         allowed: InventoryLoader.sections) else { return nil }
        let server = ServerSectionReader(collector: collector, baseDirectory: baseDirectory, fileExists: fileExists)
            .read(top)
        self.server = server
        let networks = NetworksSectionReader(collector: collector).read(top["networks"])
        let images = ImagesSectionReader(collector: collector).read(top["images"])
        let groups = GroupsSectionReader(collector: collector).read(top["groups"])
        let bridge = top["bridge"].flatMap(BridgeSectionReader(collector: collector).read)
        let nodes = NodesSectionReader(collector: collector).read(top["nodes"])
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
        let containers = references.resolveContainers(containerSection, bridge: bridge, nodes: nodes.nodes)

        guard let server, !collector.hasErrors else { return nil }
        return Inventory(file: collector.file, server: server, bridge: bridge, networks: networks.networks,
                         images: images.images, groups: groups.groups, nodes: nodes.nodes, containers: containers)
    }
}
