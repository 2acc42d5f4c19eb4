import Foundation

/// The files every node home holds, as the orderer's and the peers' homes lay them out: the
/// node's `msp/` and `tls/` from the crypto material (hard links, see `linkOrCopyTree`), each trusted org's verifying MSP
/// under `orgs/<MSP ID>/msp`, and a JSON configuration file.
public enum NodeHomeFiles {
    /// Puts the material into `home`, replacing older copies (callers check first that
    /// `nodeDirectory` exists, to say in their own terms how to make it).
    public static func install(nodeDirectory: URL, into home: URL, organizationMSPs: [(mspID: String, directory: URL)]) throws {
        let fileManager = FileManager.default
        let copies = [(nodeDirectory.appendingPathComponent("msp"), home.appendingPathComponent("msp")),
                      (nodeDirectory.appendingPathComponent("tls"), home.appendingPathComponent("tls"))]
            + organizationMSPs.map { ($0.directory, home.appendingPathComponent("orgs/\($0.mspID)/msp")) }
        for (source, target) in copies {
            try? fileManager.removeItem(at: target)
            try fileManager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try linkOrCopyTree(from: source, to: target)
        }
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
