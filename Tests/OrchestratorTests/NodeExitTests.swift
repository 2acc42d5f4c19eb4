import Foundation
import Testing
@testable import Orchestrator

/// What `fabnet start` says when a node exits instead of becoming healthy.
@Suite struct NodeExitTests {
    let state = NetworkState(directory: URL(fileURLWithPath: "/tmp/net-b"))
    let peer = NetworkState.Node(name: "peer0.org1.example.com", role: "peer", mspID: "Org1MSP", host: "peer0.org1.example.com",
                                 port: 7052, operationsPort: 7053)

    @Test func aDamagedLedgerGetsEveryCommandToFetchTheChainAgain() {
        let log = "2026-12-01T10:00:00Z peer0.org1.example.com error: ledger of channel mychannel is corrupted at block 7 (byte 1234): record checksum mismatch; fix: …"
        #expect(NodeExit.damagedLedgerChannel(in: log) == "mychannel")
        let fix = NodeExit.fix(for: peer, logTail: log, state: state)
        #expect(fix.contains("mv /tmp/net-b/nodes/peer0.org1.example.com/ledger/mychannel /tmp/net-b/damaged-peer0.org1.example.com-mychannel"))
        #expect(fix.contains("fabnet start peer0.org1.example.com --state /tmp/net-b"))
        #expect(fix.contains("fabnet channel join mychannel --peer peer0.org1.example.com --state /tmp/net-b"))
    }

    @Test func anUnknownReasonPointsAtTheLog() {
        let fix = NodeExit.fix(for: peer, logTail: "error: something else", state: state)
        #expect(NodeExit.damagedLedgerChannel(in: "error: something else") == nil)
        #expect(fix.contains("fabnet logs peer0.org1.example.com --tail 50 --state /tmp/net-b"))
    }
}
