import Foundation
import Testing
@testable import Orchestrator

/// What `fabnet start` says when a node exits instead of becoming healthy.
@Suite struct NodeExitTests {
    let state = NetworkState(directory: URL(fileURLWithPath: "/tmp/net-b"))
    let peer = NetworkState.Node(name: "peer0.org1.example.com", role: "peer", mspID: "Org1MSP", host: "peer0.org1.example.com",
                                 port: 7052, operationsPort: 7053)

    @Test func aDamagedLedgerGetsTheRebuildCommandAndAnOrdererWhatToDo() {
        let log = "2026-12-01T10:00:00Z peer0.org1.example.com error: ledger of channel mychannel is corrupted at block 7 (byte 1234): record checksum mismatch; fix: …"
        #expect(NodeExit.damagedLedgerChannel(in: log) == "mychannel")
        let fix = NodeExit.fix(for: peer, logTail: log, state: state)
        #expect(fix.contains("`fabnet rebuild peer0.org1.example.com --state /tmp/net-b`"), "\(fix)")
        let orderer = NetworkState.Node(name: "orderer.example.com", role: "orderer", mspID: "OrdererMSP", host: "orderer.example.com",
                                        port: 7050, operationsPort: 7051)
        let ordererFix = NodeExit.fix(for: orderer, logTail: log, state: state)
        #expect(ordererFix.contains("no peer to rebuild it from") && ordererFix.contains("fabnet down --clean --state /tmp/net-b"), "\(ordererFix)")
    }

    @Test func anUnknownReasonPointsAtTheLog() {
        let fix = NodeExit.fix(for: peer, logTail: "error: something else", state: state)
        #expect(NodeExit.damagedLedgerChannel(in: "error: something else") == nil)
        #expect(fix.contains("fabnet logs peer0.org1.example.com --tail 50 --state /tmp/net-b"))
    }
}
