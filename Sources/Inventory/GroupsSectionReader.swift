import Yams

/// What `groups:` declares, with the image names its groups refer to.
struct GroupsSection {
    /// Every group name written, even when its settings had errors.
    var declared: Set<String> = []
    var groups: [NodeGroup] = []
    var imageReferences: [Reference] = []
    /// Each group's `bmc:` as written, by group name.
    var bmcEntries: [String: BMCEntry] = [:]
}

/// Reads `groups:`: defaults shared by nodes (image, root path, command line).
struct GroupsSectionReader {
    let collector: DiagnosticCollector
    let bmcReader: BMCReader

    static let keys = ["image", "root_path", "cmdline", "bmc", "boot", "secure_boot"]

    func read(_ section: Yams.Node?) -> GroupsSection {
        var result = GroupsSection()
        for (name, node) in collector.namedEntries(section, section: "groups") {
            result.declared.insert(name.value)
            let subject = "group \(name.value)"
            guard let fields = collector.fields(of: node, subject: subject, ownerLocation: name.location,
                                                allowed: Self.keys, misplaced: Self.nodeOnlyKeysHint) else { continue }
            let image = collector.string("image", in: fields)
            if let image { result.imageReferences.append(Reference(name: image, subject: subject)) }
            let rootPath = collector.rootPath(in: fields)
            let cmdline = collector.cmdline(in: fields)
            let bmc = bmcReader.read(fields)
            if let bmc { result.bmcEntries[name.value] = bmc }
            let boot = collector.bootMethod(in: fields)
            let secureBoot = collector.secureBoot(in: fields)
            result.groups.append(NodeGroup(name: name.value, image: image?.value, rootPath: rootPath?.value,
                                           cmdline: cmdline?.value, location: name.location, bmc: bmc?.settings,
                                           boot: boot?.value, secureBoot: secureBoot?.value,
                                           bootKeys: collector.bootKeys(boot, secureBoot)))
        }
        return result
    }

    /// `mac:` in a group says where it belongs instead of "unknown key".
    private static let nodeOnlyKeysHint: [String: String] =
        Dictionary(uniqueKeysWithValues: Set(NodesSectionReader.keys).subtracting(keys).map {
            ($0, "'\($0)' belongs to each node, not to a group")
        })
}
