import Ledger
import Testing
@testable import Orchestrator

/// `fabnet check`'s verdict: the odd peer out is named at its first departure, never the others.
struct LedgerAgreementTests {
    static func ledger(_ peer: String, headers: [UInt8], flags: [UInt8]? = nil, state: UInt8 = 0) -> LedgerAgreement.PeerLedger {
        let flags = flags ?? headers.map { _ in 0 }
        return .init(peer: peer, digest: LedgerDigest(blocks: zip(headers, flags).map { .init(header: [$0], flags: [$1]) }, state: [state]))
    }

    @Test func agreeingPeersNameNobody() {
        let peers = ["a", "b", "c"].map { Self.ledger($0, headers: [1, 2, 3]) }
        #expect(LedgerAgreement.compare(peers).isEmpty)
        #expect(LedgerAgreement.compare([Self.ledger("alone", headers: [1])]).isEmpty)
    }

    @Test func theOddPeerIsNamedAtItsFirstDifferentBlock() {
        let peers = [Self.ledger("a", headers: [1, 9, 3]), Self.ledger("b", headers: [1, 2, 3]), Self.ledger("c", headers: [1, 2, 3])]
        #expect(LedgerAgreement.compare(peers) == [.init(peer: "a", block: 1, what: "block")])
    }

    @Test func flagsThenWorldStateThenHeight() {
        let flags = [Self.ledger("a", headers: [1, 2]), Self.ledger("b", headers: [1, 2], flags: [0, 1]), Self.ledger("c", headers: [1, 2])]
        #expect(LedgerAgreement.compare(flags) == [.init(peer: "b", block: 1, what: "validation flags")])
        let state = [Self.ledger("a", headers: [1, 2]), Self.ledger("b", headers: [1, 2]), Self.ledger("c", headers: [1, 2], state: 7)]
        #expect(LedgerAgreement.compare(state) == [.init(peer: "c", block: nil, what: "world state")])
        let short = [Self.ledger("a", headers: [1, 2]), Self.ledger("b", headers: [1]), Self.ledger("c", headers: [1, 2])]
        #expect(LedgerAgreement.compare(short) == [.init(peer: "b", block: 1, what: "height")])
    }

    @Test func aShortMajorityIsNamedForTheBlocksItLacksWithoutACrash() {
        let peers = [Self.ledger("a", headers: [1]), Self.ledger("b", headers: [1, 2]), Self.ledger("c", headers: [1])]
        #expect(LedgerAgreement.compare(peers) == [.init(peer: "a", block: 1, what: "height"), .init(peer: "c", block: 1, what: "height")])
        let tie = [Self.ledger("a", headers: [1]), Self.ledger("b", headers: [1, 2])]
        #expect(LedgerAgreement.compare(tie) == [.init(peer: "a", block: 1, what: "height")])
    }

    @Test func aTieKeepsTheFirstPeersValue() {
        let peers = [Self.ledger("a", headers: [1, 2]), Self.ledger("b", headers: [1, 5])]
        #expect(LedgerAgreement.compare(peers) == [.init(peer: "b", block: 1, what: "block")])
    }
}
