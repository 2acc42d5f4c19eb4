import FabnetClient
import FabnetCrypto
import FabnetWire
import FabricWire
import Foundation
import Ledger
import Testing
@testable import PeerNode

/// The peer's endorser on a real peer service (fake transport and orderer): Fabric's checks, the
/// built-in contract's simulation, and a signature over payload ‖ endorser.
@Suite struct EndorserTests {
    @Test func aPutIsSimulatedAndSignedAndAGetReadsTheCommittedVersion() async throws {
        let fixture = try await PeerFixture()
        defer { fixture.remove() }
        let client = try PeerFixture.identity(fixture.spec, fixture.layout, org: 1, user: 1)
        let (put, txID) = try ProposalBuilder.make(channel: PeerFixture.channel, chaincode: "fabnet",
                                                   arguments: ["put", "k", "v"].map { Data($0.utf8) }, creator: client)
        let response = await fixture.service.endorse(put)
        #expect(response.response.status == 200, "\(response.response.message)")
        let peer = try fixture.nodeIdentity(org: 1, peer: 0)
        #expect(response.endorsement.endorser == (try peer.serialized.serializedBytes() as Data))
        try EnvelopeSealing.verify(signature: response.endorsement.signature, over: response.payload + response.endorsement.endorser,
                                   certificate: peer.certificate, mspID: peer.mspID)
        let payload = try Protos_ProposalResponsePayload(serializedBytes: response.payload)
        #expect(payload.proposalHash == (try UnpackedProposal.unpack(put)).proposalHash)
        let action = try Protos_ChaincodeAction(serializedBytes: payload.extension)
        #expect(action.chaincodeID.name == "fabnet" && action.chaincodeID.version == "1.0")
        let rwset = try Rwset_TxReadWriteSet(serializedBytes: action.results)
        let writes = try Kvrwset_KVRWSet(serializedBytes: rwset.nsRwset[0].rwset).writes
        #expect(writes.map(\.key) == ["k"] && writes[0].value == Data("v".utf8))
        _ = txID

        // The same proposal twice gives the same bytes (what a gateway compares across peers).
        #expect(await fixture.service.endorse(put).payload == response.payload)

        let (get, _) = try ProposalBuilder.make(channel: PeerFixture.channel, chaincode: "fabnet", arguments: ["get", "k"].map { Data($0.utf8) }, creator: client)
        let read = await fixture.service.endorse(get)
        #expect(read.response.status == 200)
        let readSet = try Kvrwset_KVRWSet(serializedBytes: try Rwset_TxReadWriteSet(serializedBytes: try Protos_ChaincodeAction(
            serializedBytes: try Protos_ProposalResponsePayload(serializedBytes: read.payload).extension).results).nsRwset[0].rwset)
        #expect(readSet.reads.map(\.key) == ["k"] && !readSet.reads[0].hasVersion, "an absent key is read without a version")
    }

    @Test func refusalsCarryFabricsReasons() async throws {
        let fixture = try await PeerFixture()
        defer { fixture.remove() }
        let client = try PeerFixture.identity(fixture.spec, fixture.layout, org: 1, user: 1)
        func status(_ proposal: Protos_SignedProposal) async -> (Int32, String) {
            let response = await fixture.service.endorse(proposal)
            return (response.response.status, response.response.message)
        }
        let unknown = try ProposalBuilder.make(channel: PeerFixture.channel, chaincode: "basic", arguments: [Data("f".utf8)], creator: client).signed
        #expect(await status(unknown).1.contains("chaincode basic not found"))
        let elsewhere = try ProposalBuilder.make(channel: "other", chaincode: "fabnet", arguments: [Data("get".utf8), Data("k".utf8)], creator: client).signed
        #expect(await status(elsewhere).1.contains("channel 'other' not found"))
        var forged = try ProposalBuilder.make(channel: PeerFixture.channel, chaincode: "fabnet", arguments: [Data("get".utf8), Data("k".utf8)], creator: client).signed
        forged.signature = try fixture.nodeIdentity(org: 0).sign(forged.proposalBytes)
        #expect(await status(forged).1.hasPrefix("access denied"))
        // A peer is not a writer of the channel (Writers: admins and clients).
        let asPeer = try ProposalBuilder.make(channel: PeerFixture.channel, chaincode: "fabnet", arguments: [Data("get".utf8), Data("k".utf8)],
                                              creator: try fixture.nodeIdentity(org: 1, peer: 1)).signed
        #expect(await status(asPeer).1.contains("creator org [Org1MSP]"))
        let badFunction = try ProposalBuilder.make(channel: PeerFixture.channel, chaincode: "fabnet", arguments: [Data("nope".utf8)], creator: client).signed
        let answer = await fixture.service.endorse(badFunction)
        #expect(answer.response.status == 500 && !answer.hasEndorsement)
        #expect(answer.response.message.contains("no function 'nope'"))
    }

    /// A gateway asks only peers at its own height: an endorser told a height it has not reached
    /// waits for its ledger to get there, and refuses with both heights when it does not in time.
    @Test func anEndorserBehindTheGatewaysHeightWaitsForItOrRefuses() async throws {
        let fixture = try await PeerFixture(staticLeader: true)
        defer { fixture.remove() }
        let client = try PeerFixture.identity(fixture.spec, fixture.layout, org: 1, user: 1)
        try await running(fixture) {
            try await eventually("the leader's deliver stream") { fixture.orderer.requests.count == 1 }
            let (get, _) = try ProposalBuilder.make(channel: PeerFixture.channel, chaincode: "fabnet",
                                                    arguments: ["get", "key1"].map { Data($0.utf8) }, creator: client)
            // At height 1 (block 0 only), asked by a gateway at height 2.
            let refused = await fixture.service.endorse(get, minimumHeight: 2, catchUpLimit: .milliseconds(20))
            #expect(refused.response.status == 500 && !refused.hasEndorsement)
            #expect(refused.response.message.contains("is at height 1, behind the gateway's 2"), "\(refused.response.message)")
            // Its own height or below: endorsed at once.
            #expect(await fixture.service.endorse(get, minimumHeight: 1, catchUpLimit: .zero).response.status == 200)

            // Asked again with time to catch up: block 1 arrives, and then it endorses.
            let service = fixture.service
            // (its catch-up limit is the test's deadline: a broken wait refuses, it does not hang)
            let pending = Task { await service.endorse(get, minimumHeight: 2, catchUpLimit: .seconds(30)) }
            try await eventually("the endorser to wait for block 1") { await service.blockWaiters.count == 1 }
            fixture.orderer.publish(try fixture.block(after: fixture.genesis))
            let answer = await pending.value
            #expect(answer.response.status == 200, "\(answer.response.message)")
            #expect(await fixture.service.channelInfo().first?.height == 2)
        }
    }
}
