import Foundation
@testable import FabnetConfig

/// Paths and helpers shared by the configuration tests.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let testNetwork = directory.appendingPathComponent("test-network")
    static let testNetworkConfigtx = testNetwork.appendingPathComponent("configtx/configtx.yaml")
    static let testNetworkCryptoConfigs = ["org1", "org2", "orderer"].map {
        testNetwork.appendingPathComponent("organizations/cryptogen/crypto-config-\($0).yaml")
    }
    /// The current fabric-samples test-network's shape: Raft in configtx/, BFT in bft-config/.
    static let currentTestNetwork = directory.appendingPathComponent("test-network-current")
    static let currentTestNetworkConfigtx = currentTestNetwork.appendingPathComponent("configtx/configtx.yaml")
    static let currentTestNetworkBFT = currentTestNetwork.appendingPathComponent("bft-config/configtx.yaml")
    static let currentTestNetworkCryptoConfigs = ["org1", "org2", "orderer"].map {
        currentTestNetwork.appendingPathComponent("organizations/cryptogen/crypto-config-\($0).yaml")
    }
    /// test-network-nano-bash's shape: configtx.yaml with crypto-config.yaml beside it, BFT in bft-config/.
    static let nanoBash = directory.appendingPathComponent("test-network-nano-bash")
    static let nanoBashConfigtx = nanoBash.appendingPathComponent("configtx.yaml")
    static let nanoBashBFT = nanoBash.appendingPathComponent("bft-config/configtx.yaml")
    static let nanoBashCryptoConfig = nanoBash.appendingPathComponent("crypto-config.yaml")
    static let repositoryRoot = directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// Loads YAML text as a description and returns every issue (empty when it loads cleanly).
func issues(of yaml: String, cryptoConfigs: [(text: String, file: String)] = []) -> [ConfigIssue] {
    do {
        let loaded = try NetworkLoader.load(text: yaml, file: "net.yaml", directory: URL(fileURLWithPath: "/tmp/fabnet-test"),
                                            cryptoConfigs: cryptoConfigs)
        return loaded.warnings
    } catch let error as ConfigLoadError {
        return error.issues
    } catch {
        return [ConfigIssue(.error, at: nil, key: nil, "unexpected \(error)")]
    }
}

/// The 1-based line of the first line containing `marker`.
func line(of marker: String, in text: String) -> Int? {
    text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(marker) }.map { $0 + 1 }
}

/// A minimal valid single-file network; tests replace parts of it to make one error each.
let minimalNetwork = """
Organizations:
  - &Orderer
    Name: OrdererOrg
    ID: OrdererMSP
    Domain: example.com
    OrdererEndpoints:
      - orderer.example.com:7050
  - &Org1
    Name: Org1MSP
    ID: Org1MSP
    Domain: org1.example.com
    Peers:
      Count: 2
      Port: 7051
    AnchorPeers:
      - Host: peer0.org1.example.com
        Port: 7051
Orderer: &OrdererDefaults
  BatchTimeout: 1s
  BatchSize:
    MaxMessageCount: 10
    AbsoluteMaxBytes: 10 MB
    PreferredMaxBytes: 2 MB
Profiles:
  Chan:
    Orderer:
      <<: *OrdererDefaults
      Organizations:
        - *Orderer
    Application:
      Organizations:
        - *Org1
"""
