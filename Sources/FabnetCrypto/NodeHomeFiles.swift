import Foundation

/// The files every node home holds, as the orderer's and the peers' homes lay them out: the
/// node's `msp/` and `tls/` copied from the crypto material, each trusted org's verifying MSP
/// under `orgs/<MSP ID>/msp`, and a JSON configuration file.
public enum NodeHomeFiles {
    /// Copies the material into `home`, replacing older copies (callers check first that
    /// `nodeDirectory` exists, to say in their own terms how to make it).
    public static func install(nodeDirectory: URL, into home: URL, organizationMSPs: [(mspID: String, directory: URL)]) throws {
        let fileManager = FileManager.default
        let copies = [(nodeDirectory.appendingPathComponent("msp"), home.appendingPathComponent("msp")),
                      (nodeDirectory.appendingPathComponent("tls"), home.appendingPathComponent("tls"))]
            + organizationMSPs.map { ($0.directory, home.appendingPathComponent("orgs/\($0.mspID)/msp")) }
        for (source, target) in copies {
            try? fileManager.removeItem(at: target)
            try fileManager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fileManager.copyItem(at: source, to: target)
        }
    }

    /// Writes `value` as pretty, key-sorted JSON.
    public static func writeJSON(_ value: some Encodable, to file: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(value).write(to: file)
    }
}
