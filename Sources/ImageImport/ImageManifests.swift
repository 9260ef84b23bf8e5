/// The layer lists of `docker save` archives and OCI image layouts (pure: parsed JSON in, member paths out).
enum ImageManifests {
    /// `manifest.json`: `[{"Config": …, "RepoTags": […], "Layers": ["<id>/layer.tar", …]}]`; the first image.
    static func dockerLayers(_ manifest: Any) throws -> [String] {
        guard let images = manifest as? [[String: Any]], let first = images.first,
              let layers = first["Layers"] as? [String] else {
            throw ArchiveError("manifest.json does not list an image's layers")
        }
        return try layers.map { try RootExtractor.normalize($0) ?? $0 }
    }

    /// `index.json` → an image manifest (through an image index when there is one, preferring linux/amd64)
    /// → its layers' digests as `blobs/<algorithm>/<hex>` paths. `blob` returns a parsed JSON member.
    static func ociLayers(index: Any, blob: (String) -> Any?) throws -> [String] {
        var document = index
        for _ in 0..<4 { // index → (nested index →) manifest
            guard let object = document as? [String: Any] else { break }
            if let layers = object["layers"] as? [[String: Any]] {
                return try layers.map { layer in
                    guard let digest = layer["digest"] as? String else {
                        throw ArchiveError("an OCI manifest lists a layer without a digest")
                    }
                    return try path(of: digest)
                }
            }
            guard let manifests = object["manifests"] as? [[String: Any]], !manifests.isEmpty else { break }
            let chosen = manifests.first { manifest in
                let platform = manifest["platform"] as? [String: Any]
                return platform?["architecture"] as? String == "amd64" && platform?["os"] as? String == "linux"
            } ?? manifests[0]
            guard let digest = chosen["digest"] as? String, let next = blob(try path(of: digest)) else {
                throw ArchiveError("the OCI index names a manifest the archive lacks")
            }
            document = next
        }
        throw ArchiveError("index.json does not lead to an image manifest with layers")
    }

    /// `sha256:ab12…` → `blobs/sha256/ab12…`; anything else is refused (it would become a path).
    static func path(of digest: String) throws -> String {
        let parts = digest.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, parts[0].allSatisfy({ $0.isLetter || $0.isNumber }),
              !parts[1].isEmpty, parts[1].allSatisfy({ $0.isHexDigit }) else {
            throw ArchiveError("'\(digest)' is not a content digest")
        }
        return "blobs/\(parts[0])/\(parts[1])"
    }
}
