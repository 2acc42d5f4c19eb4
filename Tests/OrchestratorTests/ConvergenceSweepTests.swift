import Testing
@testable import Orchestrator

/// Which peers a convergence sweep asks, and when it is final (judges the leaders): the first
/// sweep asks everyone and is final, so a network converged at the first look needs no second;
/// later sweeps ask the unsatisfied; once all are satisfied, one more asks everyone.
struct ConvergenceSweepTests {
    static let peers = (0..<4).map { NetworkState.Node(name: "peer\($0)", role: "peer", mspID: "Org1MSP", host: "peer\($0)", port: 1, grpcPort: nil, operationsPort: 2) }

    @Test func theFirstSweepAsksEveryPeerAndIsFinal() {
        let (asked, final) = NetworkLauncher.sweep(of: Self.peers, satisfied: [])
        #expect(asked.map(\.name) == ["peer0", "peer1", "peer2", "peer3"])
        #expect(final)
    }

    @Test func laterSweepsAskTheUnsatisfiedAndAreNotFinal() {
        let (asked, final) = NetworkLauncher.sweep(of: Self.peers, satisfied: ["peer0", "peer2"])
        #expect(asked.map(\.name) == ["peer1", "peer3"])
        #expect(!final)
    }

    @Test func onceAllAreSatisfiedASweepAsksEveryoneAgainAndIsFinal() {
        let (asked, final) = NetworkLauncher.sweep(of: Self.peers, satisfied: Set(Self.peers.map(\.name)))
        #expect(asked.count == 4)
        #expect(final)
    }
}
