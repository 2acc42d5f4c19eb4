@_spi(Verification) import FabnetModel
import FabnetWire
import Synchronization
import Testing
@testable import PeerNode
import OperationsEndpoint

/// Refusals of forged or broken gossip are logged once per sender and reason a minute, so a
/// hostile peer cannot flood the log; every one is still counted.
struct RefusalLogTests {
    @Test func oncePerSenderAndReasonPerWindowWithWhatWasHeldBack() {
        var log = RefusalLog(window: .seconds(60), capacity: 2)
        #expect(log.note(sender: "a", reason: "forged", now: .seconds(0)) == (true, 0))
        #expect(log.note(sender: "a", reason: "forged", now: .seconds(10)) == (false, 0))
        #expect(log.note(sender: "a", reason: "forged", now: .seconds(59)) == (false, 0))
        #expect(log.note(sender: "a", reason: "other", now: .seconds(59)) == (true, 0), "another reason logs")
        #expect(log.note(sender: "a", reason: "forged", now: .seconds(60)) == (true, 2), "a minute later, with the two held back")
        // Bounded: a third pair pushes out the oldest, which then logs again at once.
        #expect(log.note(sender: "b", reason: "forged", now: .seconds(61)) == (true, 0))
        #expect(log.note(sender: "a", reason: "other", now: .seconds(62)) == (true, 0))
    }

    @Test func forgedAliveMessagesFromOnePeerMakeOneLineAndAreAllCounted() async throws {
        let lines = Mutex<[String]>([])
        let reporter = RefusalReporter(write: { line in lines.withLock { $0.append(line) } }, now: { .seconds(5) })
        let (base, metrics) = SignedEnvelopesFixture.verifier()
        let sender = VerifiedSigner(mspID: "Org1MSP", role: .peer, pkiID: SignedEnvelopesFixture.material.mate.pkiID)
        let verifier = ReportingVerifier(base: base, sender: sender, reporter: reporter)
        let mate = SignedEnvelopes(signer: SignedEnvelopesFixture.material.mate)
        var forged = try mate.envelope(of: GossipVerifierTests().mateAlive())
        forged.signature = try SignedEnvelopesFixture.material.orderer.sign(forged.payload)
        for _ in 0..<5 { #expect(await verifier.alive(forged) == nil) }
        #expect(await verifier.alive(try mate.envelope(of: GossipVerifierTests().mateAlive())) != nil)
        let logged = lines.withLock { $0 }
        #expect(logged.count == 1 && logged[0].contains("refused an alive message") && logged[0].contains("Org1MSP"), "\(logged)")
        #expect(GossipVerifierTests.count("refused", in: metrics) == "5")
    }
}
