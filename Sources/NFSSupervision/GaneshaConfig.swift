import Inventory

/// One exported root: the imported tree, the path nodes mount (the root_path's path), who may mount it and
/// whose identity is squashed.
public struct NFSExport: Equatable, Sendable, Codable {
    var image: String
    var directory: String
    var path: String
    /// The only machines that may mount: every subnet of `networks:`, relayed ones included.
    var clients: [IPv4Subnet] = []
    var squash: NFSSquash = .defaultSquash

    /// The exports `nodes.yaml` asks for, in name order (so export IDs stay put across reloads).
    public static func exports(of inventory: Inventory) -> [NFSExport] {
        // In address order, so reordering `networks:` in the file does not restart the NFS server.
        let clients = inventory.networks.map(\.subnet).sorted { $0.network.value < $1.network.value }
        return inventory.images.filter(\.exportsNFS).compactMap { image in
            guard let location = image.rootPath?.nfs else { return nil }
            return NFSExport(image: image.name,
                             directory: BootImage.rootDirectory(image: image.name,
                                                                stateDirectory: inventory.server.stateDirectory),
                             path: location.path, clients: clients, squash: image.nfsSquash)
        }.sorted { $0.image < $1.image }
    }
}

/// nfs-ganesha's configuration for the exports (pure). Settings that served a VM its root here: NFSv3 and v4,
/// the export's pseudo path also used for v3 mounts, read-only, no NLM (nodes mount with nolock), no grace
/// period. Access is a CLIENT block per export: a client no CLIENT block matches gets the EXPORT block's own
/// permissions (ganesha-export-config(8)), so the EXPORT says `Access_Type = None` and only the inventory's
/// subnets get read-only access, squashed as the image's `nfs_squash` says.
enum GaneshaConfig {
    static func render(_ exports: [NFSExport], bindAddress: IPv4Address?, runDirectory: String) -> String {
        var text = """
            # Written by netroot serve from nodes.yaml; changes here are overwritten.
            NFS_CORE_PARAM {
                Protocols = 3, 4;
                Mount_Path_Pseudo = true;
                Enable_NLM = false;
                Enable_RQUOTA = false;

            """
        if let bindAddress { text += "    Bind_addr = \(bindAddress);\n" }
        text += """
            }
            NFSV4 {
                Graceless = true;
                RecoveryRoot = "\(runDirectory)/recovery";
            }
            LOG {
                Default_Log_Level = EVENT;
            }

            """
        for (index, export) in exports.enumerated() {
            text += """
                EXPORT {
                    Export_Id = \(index + 1);
                    Path = "\(export.directory)";
                    Pseudo = "\(export.path)";
                    Access_Type = None;
                    SecType = sys;
                    Protocols = 3, 4;
                    Transports = TCP, UDP;
                    FSAL {
                        Name = VFS;
                    }

                """
            // Without networks there is nobody to let in: no CLIENT block, and the EXPORT's None holds for all.
            if !export.clients.isEmpty {
                text += """
                        CLIENT {
                            Clients = \(export.clients.map(\.description).joined(separator: ", "));
                            Access_Type = RO;
                            Squash = \(squashOption(export.squash));
                        }

                    """
            }
            text += "}\n"
        }
        return text
    }

    /// ganesha's name for each `nfs_squash` value.
    static func squashOption(_ squash: NFSSquash) -> String {
        switch squash {
        case .none: "No_Root_Squash"
        case .root: "Root_Squash"
        case .all: "All_Squash"
        }
    }
}
