import Inventory

/// One exported root: the imported tree and the path nodes mount (the root_path's path).
public struct NFSExport: Equatable, Sendable {
    var image: String
    var directory: String
    var path: String

    /// The exports `nodes.yaml` asks for, in name order (so export IDs stay put across reloads).
    public static func exports(of inventory: Inventory) -> [NFSExport] {
        inventory.images.filter(\.exportsNFS).compactMap { image in
            guard let location = image.rootPath?.nfs else { return nil }
            return NFSExport(image: image.name,
                             directory: BootImage.rootDirectory(image: image.name,
                                                                stateDirectory: inventory.server.stateDirectory),
                             path: location.path)
        }.sorted { $0.image < $1.image }
    }
}

/// nfs-ganesha's configuration for the exports (pure). Settings that served a VM its root here: NFSv3 and v4,
/// the export's pseudo path also used for v3 mounts, read-only, root not squashed (a root filesystem has
/// root-owned files a node must read as root), no NLM (nodes mount with nolock), no grace period.
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
                    Access_Type = RO;
                    Squash = No_Root_Squash;
                    SecType = sys;
                    Protocols = 3, 4;
                    Transports = TCP, UDP;
                    FSAL {
                        Name = VFS;
                    }
                }

                """
        }
        return text
    }
}
