import Foundation

/// The files every node home holds, as the orderer's and the peers' homes lay them out: the
/// node's `msp/` and `tls/` from the crypto material (hard links, see `linkOrCopyTree`), each trusted org's verifying MSP
/// under `orgs/<MSP ID>/msp`, and a JSON configuration file.
///
/// Guarantees: a home reads exactly the material it was installed with until it is installed
/// again, also where its `orgs` is a link to a snapshot shared by the homes of one network
/// (`installOrganizations`): the snapshot is hard links too, and the link stays inside the
/// state folder, so removing a home never reaches the crypto material.
public enum NodeHomeFiles {
    /// Puts the material into `home`, replacing older copies (callers check first that
    /// `nodeDirectory` exists, to say in their own terms how to make it). With `sharedOrganizations`
    /// (a snapshot `installOrganizations` made) the home's `orgs` is a relative symbolic link to
    /// it, not a tree of its own: 100 peers' own trees were 1,800 of the 2,700 folders `up` made
    /// for their homes, and on a file system that had just deleted the previous network each
    /// new folder cost 80–160 µs.
    public static func install(nodeDirectory: URL, into home: URL, organizationMSPs: [(mspID: String, directory: URL)],
                               sharedOrganizations: URL? = nil) throws {
        let fileManager = FileManager.default
        let organizations = home.appendingPathComponent("orgs")
        var copies = [(nodeDirectory.appendingPathComponent("msp"), home.appendingPathComponent("msp")),
                      (nodeDirectory.appendingPathComponent("tls"), home.appendingPathComponent("tls"))]
        var linked = false
        if let sharedOrganizations {
            try fileManager.createDirectory(at: home, withIntermediateDirectories: true)
            try? fileManager.removeItem(at: organizations)
            // A file system without symbolic links gets the home's own trees, as before.
            linked = (try? fileManager.createSymbolicLink(atPath: organizations.path,
                                                          withDestinationPath: relativePath(from: home, to: sharedOrganizations))) != nil
        }
        if !linked {
            if isSymbolicLink(organizations) { try fileManager.removeItem(at: organizations) }
            copies += organizationMSPs.map { ($0.directory, organizations.appendingPathComponent("\($0.mspID)/msp")) }
        }
        for (source, target) in copies {
            try? fileManager.removeItem(at: target)
            try fileManager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try linkOrCopyTree(from: source, to: target)
        }
    }

    /// Makes `directory/<MSP ID>/msp` of every org anew (hard links), the snapshot that homes
    /// installed with `sharedOrganizations: directory` link to.
    public static func installOrganizations(_ organizationMSPs: [(mspID: String, directory: URL)], into directory: URL) throws {
        let fileManager = FileManager.default
        try? fileManager.removeItem(at: directory)
        for (mspID, source) in organizationMSPs {
            let target = directory.appendingPathComponent("\(mspID)/msp")
            try fileManager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try linkOrCopyTree(from: source, to: target)
        }
    }

    /// `target` as a path relative to the folder `base` ("../../orgs"), so a link made with it
    /// still holds when the folder that holds both moves.
    static func relativePath(from base: URL, to target: URL) -> String {
        let from = base.standardizedFileURL.pathComponents, to = target.standardizedFileURL.pathComponents
        var common = 0
        while common < min(from.count, to.count), from[common] == to[common] { common += 1 }
        return (Array(repeating: "..", count: from.count - common) + to[common...]).joined(separator: "/")
    }

    static func isSymbolicLink(_ url: URL) -> Bool {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)) != nil
    }

    /// Recreates the folder tree `source` at `target`, each file a hard link to its source (a copy
    /// where linking fails: another file system). The material is written once and never
    /// changed in place (`crypto generate` writes new files), so a link reads as a copy would;
    /// it costs no new inode, and 100 peers' homes made ~4,000 of them, up to 2 s of a start
    /// on a file system that had just deleted the previous network.
    static func linkOrCopyTree(from source: URL, to target: URL) throws {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: source.path, isDirectory: &isDirectory) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: source.path])
        }
        guard isDirectory.boolValue else {
            if link(source.path, target.path) != 0 { try fileManager.copyItem(at: source, to: target) }
            return
        }
        try fileManager.createDirectory(at: target, withIntermediateDirectories: true)
        for name in try fileManager.contentsOfDirectory(atPath: source.path) {
            try linkOrCopyTree(from: source.appendingPathComponent(name), to: target.appendingPathComponent(name))
        }
    }

    /// Writes `value` as pretty, key-sorted JSON.
    public static func writeJSON(_ value: some Encodable, to file: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(value).write(to: file)
    }
}
