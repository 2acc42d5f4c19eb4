import FabnetWire
import Testing
@testable import Orchestrator

/// Which peers a convergence sweep asks: everyone at first, then only those not converged at
/// their latest status (the leaders are judged on the latest statuses once all have converged,
/// so a peer converged in an earlier sweep is not asked again).
struct ConvergenceSweepTests {
    static let peers = (0..<4).map { NetworkState.Node(name: "peer\($0)", role: "peer", mspID: "Org1MSP", host: "peer\($0)", port: 1, grpcPort: nil, operationsPort: 2) }

    @Test func theFirstSweepAsksEveryPeer() {
        #expect(NetworkLauncher.sweep(of: Self.peers, satisfied: []).map(\.name) == ["peer0", "peer1", "peer2", "peer3"])
    }

    @Test func laterSweepsAskOnlyTheUnconverged() {
        #expect(NetworkLauncher.sweep(of: Self.peers, satisfied: ["peer0", "peer2"]).map(\.name) == ["peer1", "peer3"])
        #expect(NetworkLauncher.sweep(of: Self.peers, satisfied: ["peer0", "peer1", "peer2"]).map(\.name) == ["peer3"])
    }

    static let statuses = Dictionary(uniqueKeysWithValues: peers.map { ($0.name, WireAdminResponse()) })

    @Test func onceAllHaveConvergedTheLeadersAreJudgedOnTheirLatestStatusesWithoutAnotherSweep() {
        var satisfied = Set(Self.peers.map(\.name)), problem: String? = "an earlier sweep's"
        var judged: [String] = []
        let done = NetworkLauncher.converged(Self.peers, satisfied: &satisfied, latest: Self.statuses, problem: &problem) { statuses in
            judged = statuses.map(\.0.name)
            return nil
        }
        #expect(done && problem == nil)
        #expect(judged == ["peer0", "peer1", "peer2", "peer3"])
    }

    @Test func leadersThatDisagreeSendTheNextSweepToEveryPeer() {
        var satisfied = Set(Self.peers.map(\.name)), problem: String?
        let done = NetworkLauncher.converged(Self.peers, satisfied: &satisfied, latest: Self.statuses, problem: &problem) { _ in "Org1MSP has 2 leaders in mychannel" }
        #expect(!done && problem == "Org1MSP has 2 leaders in mychannel")
        #expect(NetworkLauncher.sweep(of: Self.peers, satisfied: satisfied).count == 4)
    }

    @Test func leadersAreNotJudgedWhileAPeerHasNotConverged() {
        var satisfied: Set<String> = ["peer0", "peer1", "peer2"], problem: String? = "peer3 does not see peer1 yet"
        let done = NetworkLauncher.converged(Self.peers, satisfied: &satisfied, latest: Self.statuses, problem: &problem) { _ in
            Issue.record("judged the leaders before every peer converged")
            return nil
        }
        #expect(!done && problem == "peer3 does not see peer1 yet" && satisfied.count == 3)
    }
}
