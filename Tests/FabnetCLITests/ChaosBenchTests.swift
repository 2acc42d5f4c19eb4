import FabnetConfig
@testable import FabnetBench
import FabnetTestKit
import Foundation
import Orchestrator
import Testing

/// `fabnet bench chaos`: its schedule is the seed's, what it expects a fault to stop follows the
/// channel's policy, a one-minute run under every kind of fault loses nothing acknowledged, and
/// its lookup names a transaction a peer does not hold.
@Suite(.serialized)
struct ChaosBenchTests {
    static let topology = ChaosSchedule.Topology(
        orgs: [("Org1MSP", ["peer0.org1.example.com", "peer1.org1.example.com"]), ("Org2MSP", ["peer0.org2.example.com", "peer1.org2.example.com"])],
        orderer: "orderer.example.com")
    /// A seed whose one-minute schedule on the default network holds every kind of fault.
    static let smokeSeed: UInt64 = 7

    @Test func theScheduleIsTheSeeds() {
        let kinds = ChaosSchedule.Kind.allCases
        let one = ChaosSchedule(seed: 11, seconds: 600, kinds: kinds, topology: Self.topology)
        #expect(one == ChaosSchedule(seed: 11, seconds: 600, kinds: kinds, topology: Self.topology))
        #expect(one != ChaosSchedule(seed: 12, seconds: 600, kinds: kinds, topology: Self.topology))
        #expect(one.faults.count > 40)
        // One at a time, after the warm-up, healed by the end of the run.
        #expect(one.faults.first!.at >= ChaosSchedule.warmUp)
        for (earlier, later) in zip(one.faults, one.faults.dropFirst()) { #expect(earlier.at + earlier.seconds < later.at) }
        #expect(one.faults.last!.at + one.faults.last!.seconds <= 600)
        // Peers, whole orgs and the orderer are struck.
        #expect(one.faults.contains { $0.kind == .kill && $0.nodes.count == 1 })
        #expect(one.faults.contains { $0.orgsCutOff == ["Org1MSP"] || $0.orgsCutOff == ["Org2MSP"] })
        #expect(one.faults.contains { $0.nodes == ["orderer.example.com"] })
        #expect(one.faults.contains { $0.kind == .partition && $0.summary.contains("Org1MSP") })
        // Only the kinds asked for.
        let kills = ChaosSchedule(seed: 11, seconds: 600, kinds: [.kill], topology: Self.topology)
        #expect(!kills.faults.isEmpty && kills.faults.allSatisfy { $0.kind == .kill })
        // The smoke run's seed holds every kind.
        let smoke = ChaosSchedule(seed: Self.smokeSeed, seconds: 60, kinds: kinds, topology: Self.topology)
        #expect(Set(smoke.faults.map(\.kind)) == Set(kinds), "\(smoke.faults.map(\.summary))")
    }

    @Test func anOrgCutOffUnderMajorityIsExpectedToStopEndorsement() throws {
        let spec = try NetworkLoader.load(file: nil, cryptoConfigFiles: [], discoverCryptoConfig: false).spec
        let channel = try #require(spec.channels.first)
        func fault(_ kind: ChaosSchedule.Kind, _ nodes: [String], orgs: [String] = [], groups: [[String]] = []) -> ChaosSchedule.Fault {
            .init(kind: kind, nodes: nodes, groups: groups, orgsCutOff: orgs, at: 5, seconds: 3, summary: "")
        }
        let org = ChaosBench.expectation(of: fault(.kill, ["peer0.org2.example.com", "peer1.org2.example.com"], orgs: ["Org2MSP"]), channel: channel, orderer: "orderer.example.com")
        #expect(org?.contains("Org2MSP cut off") == true && org?.contains("MAJORITY") == true, "\(org ?? "nil")")
        #expect(ChaosBench.expectation(of: fault(.kill, ["peer0.org2.example.com"]), channel: channel, orderer: "orderer.example.com") == nil)
        #expect(ChaosBench.expectation(of: fault(.partition, ["orderer.example.com"], groups: [["orderer.example.com"], ["peer0.org1.example.com"]]),
                                       channel: channel, orderer: "orderer.example.com")?.contains("orderer") == true)
    }

    @Test func theVerdictFollowsTheFindings() {
        func report(missing: Int = 0, divergent: [String] = [], agreed: Double? = 1, error: String? = nil, acknowledged: Int = 5,
                    notLookedUp: [String] = []) -> ChaosBench.Report {
            .init(seed: 1, seconds: 60, submitted: 9, acknowledged: acknowledged, failed: 2, unknown: 2, missing: missing, missingExamples: [],
                  peersLookedUp: ["p"], peersNotLookedUp: notLookedUp, divergentPeers: divergent, divergences: [], drainSeconds: 0,
                  secondsToAgree: agreed, height: 3, faults: [], skippedFaults: 0, history: "h", historyWriteFailures: 0, checkError: error, keptFolder: nil)
        }
        #expect(report().verdict == .passed)
        #expect(report(missing: 1).verdict == .broken)
        #expect(report(divergent: ["peer1"]).verdict == .broken)
        #expect(report(missing: 1, agreed: nil).verdict == .broken, "a broken promise outweighs not agreeing")
        #expect(report(agreed: nil).verdict == .undecided)
        #expect(report(error: "a heal failed").verdict == .undecided)
        #expect(report(acknowledged: 0).verdict == .undecided)
        #expect(report(notLookedUp: ["peer0"]).verdict == .undecided)
    }

    @Test func aOneMinuteRunUnderEveryFaultLosesNothingAcknowledged() async throws {
        let history = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-chaos-test-\(UUID().uuidString.prefix(6)).jsonl")
        defer { try? FileManager.default.removeItem(at: history) }
        let result = try await runFabnet(["bench", "chaos", "--minutes", "1", "--seed", "\(Self.smokeSeed)", "--json", "--history", history.path])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any], "\(result.output) \(result.errors)")
        #expect(result.status == 0, "\(result.output) \(result.errors)")
        let acknowledged = try #require(report["acknowledged"] as? Int)
        #expect(acknowledged > 0)
        #expect(report["missing"] as? Int == 0)
        #expect((report["divergentPeers"] as? [String])?.isEmpty == true)
        #expect(report["secondsToAgree"] as? Double != nil)
        #expect(report["seed"] as? Int == Int(Self.smokeSeed))
        #expect(report["verdict"] as? String == "passed")
        #expect((report["peersLookedUp"] as? [String])?.count == 4, "every acknowledged transaction looked up on all 4 peers")
        let faults = try #require(report["faults"] as? [[String: Any]])
        #expect(Set(faults.compactMap { $0["kind"] as? String }) == Set(ChaosSchedule.Kind.allCases.map(\.rawValue)))
        #expect(faults.allSatisfy { ($0["problems"] as? [String])?.isEmpty == true }, "\(faults)")
        // The history holds an ok line for each acknowledged transaction, after its invoke.
        let entries = try ChaosHistory.read(history)
        let ok = entries.filter { $0.type == .ok }
        #expect(ok.count == acknowledged)
        let invoked = Set(entries.filter { $0.type == .invoke }.map(\.tx))
        #expect(ok.allSatisfy { invoked.contains($0.tx) })
    }

    @Test func theLookupNamesATransactionAPeerDoesNotHold() async throws {
        let network = try CLINetwork()
        defer { network.remove() }
        try await network.up()
        let manifest = try #require(network.manifest)
        let spec = try NetworkLoader.load(file: nil, cryptoConfigFiles: [], discoverCryptoConfig: false).spec
        let clients = NodeClients(spec: spec, layout: .init(root: network.crypto), manifest: manifest)
        let roots = try GatewayConnection.peerTLSRoots(clients)
        let peer = try #require(clients.peers.first { $0.grpcPort != nil })
        let signer = try clients.credentials(of: peer.mspID, role: .client).signer
        let historyFile = network.root.appendingPathComponent("history.jsonl")
        let history = try ChaosHistory(url: historyFile)
        let client = ChaosClient(index: 0, gatewayName: peer.name, host: "127.0.0.1", port: try #require(peer.grpcPort), trustRootsPEM: roots,
                                 channel: "mychannel", chaincode: "fabnet", signer: signer, window: 2, history: history, started: .now)
        // Submits until a few transactions are acknowledged (the run's length is the client's, not a wait).
        var acknowledged: [String] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while acknowledged.count < 3, ContinuousClock.now < deadline {
            acknowledged += try await client.run(until: .now + .seconds(1)).filter { $0.kind == .ok }.map(\.tx)
        }
        #expect(acknowledged.count >= 3, "nothing acknowledged through \(peer.name) in 60 s")
        history.close()
        let bogus = String(repeating: "0", count: 64)
        for each in clients.peers {
            let lookup = ChaosLookup(peer: each, channel: "mychannel", roots: roots, signer: signer, answerSeconds: 2)
            let result = try await lookup.run(acknowledged + [bogus])
            #expect(result.absent == [bogus] && result.unasked.isEmpty, "\(each.name): \(result)")
        }
        // A peer that is not there: given up on after a few lookups, the rest unasked.
        var gone = try #require(clients.peers.first)
        gone.grpcPort = try freePortBlock(count: 1)
        let unanswered = try await ChaosLookup(peer: gone, channel: "mychannel", roots: roots, signer: signer, answerSeconds: 1, giveUpAfter: 2, lanes: 1)
            .run(acknowledged + [bogus])
        #expect(unanswered.absent.count == 2 && unanswered.unasked.count == acknowledged.count - 1)
    }
}
