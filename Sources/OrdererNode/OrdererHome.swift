import FabnetConfig
import FabnetCrypto
import Foundation
import Transport

/// An orderer's home folder: `orderer.json` (below), its `msp/` and `tls/`, the verifying MSPs of
/// the orgs it accepts under `orgs/<MSP ID>/msp`, and its ledgers under `ledger/<channel>/`.
public struct OrdererHome: Sendable {
    /// `orderer.json`. Paths are relative to the home folder.
    public struct Configuration: Codable, Sendable, Equatable {
        public var mspID: String
        public var name: String
        public var host: String
        public var port: Int
        /// Where the orderer serves `orderer.AtomicBroadcast` over gRPC; none when absent.
        public var grpcPort: Int?
        public var operationsPort: Int
        /// Every org whose identities may connect (channel membership is decided per channel).
        public var organizations: [String]
        /// `fsync` (default) or `buffered`.
        public var durability: String
        public var maximumFrameSize: Int
    }

    public let directory: URL
    public let configuration: Configuration

    public static let fileName = "orderer.json"

    public var mspDirectory: URL { directory.appendingPathComponent("msp") }
    public var tlsDirectory: URL { directory.appendingPathComponent("tls") }
    public var ledgerDirectory: URL { directory.appendingPathComponent("ledger") }
    public func organizationMSP(_ mspID: String) -> URL { directory.appendingPathComponent("orgs/\(mspID)/msp") }

    /// Reads `orderer.json`; a missing or malformed file is an error that says how to make one.
    public static func load(_ directory: URL) throws -> OrdererHome {
        let file = directory.appendingPathComponent(fileName)
        guard let data = try? Data(contentsOf: file) else {
            throw OrdererError.notAllowed("\(file.path) not found; make the home with `fabnet orderer init --home \(directory.path)`")
        }
        do {
            return OrdererHome(directory: directory, configuration: try JSONDecoder().decode(Configuration.self, from: data))
        } catch {
            throw OrdererError.notAllowed("\(file.path) is not a valid orderer configuration: \(error)")
        }
    }

    /// Makes a home for `node` from the description and its generated crypto material.
    @discardableResult
    public static func create(at directory: URL, spec: NetworkSpec, layout: CryptoLayout, node: NodeSpec,
                              port: Int? = nil, grpcPort: Int? = nil, operationsPort: Int, durability: String = "fsync") throws -> OrdererHome {
        guard let org = spec.organization(mspID: node.mspID) else { throw OrdererError.notAllowed("no org \(node.mspID)") }
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        let home = OrdererHome(directory: directory, configuration: Configuration(
            mspID: node.mspID, name: node.commonName, host: "127.0.0.1", port: port ?? node.port, grpcPort: grpcPort, operationsPort: operationsPort,
            organizations: spec.organizations.map(\.mspID), durability: durability, maximumFrameSize: 100 << 20))
        let nodeDirectory = layout.nodeDirectory(node, in: org)
        guard fileManager.fileExists(atPath: nodeDirectory.path) else {
            throw OrdererError.notAllowed("\(nodeDirectory.path) not found; run `fabnet crypto generate` first")
        }
        try NodeHomeFiles.install(nodeDirectory: nodeDirectory, into: directory,
                                  organizationMSPs: spec.organizations.map { ($0.mspID, layout.organizationMSPDirectory($0)) })
        try NodeHomeFiles.writeJSON(home.configuration, to: directory.appendingPathComponent(fileName))
        return home
    }

    public func credentials() throws -> TransportCredentials {
        try TransportCredentials.load(
            mspDirectory: mspDirectory, tlsDirectory: tlsDirectory, mspID: configuration.mspID,
            organizations: configuration.organizations.map { ($0, organizationMSP($0)) })
    }
}
