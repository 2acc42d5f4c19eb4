import Foundation
import SwiftProtobuf
import Testing
@testable import FabricWire

/// `EndorsedAction` on the endorser transaction Hyperledger's Python protos build (its proposal
/// hash is a stand-in, so it opens only once the hash is made Fabric's).
@Suite struct EndorsedActionTests {
    static func officialEnvelope() throws -> Common_Envelope {
        try Common_Envelope(serializedBytes: Data(try FabricVectors.vector("envelope").bytes))
    }

    /// The envelope with its proposal hash recomputed as a Fabric client's endorsers would have.
    static func withFabricsProposalHash(_ envelope: Common_Envelope) throws -> Common_Envelope {
        var envelope = envelope
        var payload = try Common_Payload(serializedBytes: envelope.payload)
        var transaction = try Protos_Transaction(serializedBytes: payload.data)
        var actionPayload = try Protos_ChaincodeActionPayload(serializedBytes: transaction.actions[0].payload)
        var response = try Protos_ProposalResponsePayload(serializedBytes: actionPayload.action.proposalResponsePayload)
        response.proposalHash = ProposalHash.make(channelHeader: payload.header.channelHeader, signatureHeader: transaction.actions[0].header,
                                                  proposalPayload: actionPayload.chaincodeProposalPayload)
        actionPayload.action.proposalResponsePayload = try response.serializedBytes()
        transaction.actions[0].payload = try actionPayload.serializedBytes()
        payload.data = try transaction.serializedBytes()
        envelope.payload = try payload.serializedBytes()
        return envelope
    }

    @Test func theOfficialLayoutOpensDownToTheProposalHash() throws {
        let view = try EnvelopeView.open(try Self.officialEnvelope())
        do {
            _ = try EndorsedAction.open(view)
            Issue.record("a stand-in proposal hash must not pass")
        } catch {
            #expect(error.code == .invalidEndorserTransaction)
            #expect(error.reason.contains("proposal_hash"))
        }
    }

    @Test func withFabricsHashItOpensWithItsEndorsementsAndAction() throws {
        let view = try EnvelopeView.open(try Self.withFabricsProposalHash(try Self.officialEnvelope()))
        let action = try EndorsedAction.open(view)
        #expect(action.endorsements.count == 2)
        #expect(action.chaincodeAction?.chaincodeID.name == "basic")
        #expect(action.chaincodeAction?.chaincodeID.version == "1.0")
        #expect(action.header == view.payload.header.signatureHeader)
        let endorsement = action.endorsements[0]
        #expect(action.signedBytes(of: endorsement) == action.responsePayloadBytes + endorsement.endorser)
        let sets = try EndorserTransaction.rwset(results: try #require(action.chaincodeAction).results)
        #expect(sets.map(\.namespace) == ["basic"])
        #expect(sets[0].set.reads.map(\.key) == ["asset1"])
    }
}

/// Validation codes are named as Fabric names them.
@Suite struct TxValidationCodeNameTests {
    @Test func namesMatchFabrics() {
        #expect(Protos_TxValidationCode.valid.fabricName == "VALID")
        #expect(Protos_TxValidationCode.mvccReadConflict.fabricName == "MVCC_READ_CONFLICT")
        #expect(Protos_TxValidationCode.badProposalTxid.fabricName == "BAD_PROPOSAL_TXID")
        #expect(Protos_TxValidationCode.endorsementPolicyFailure.fabricName == "ENDORSEMENT_POLICY_FAILURE")
        #expect(Protos_TxValidationCode.nilTxaction.fabricName == "NIL_TXACTION")
        #expect(Protos_TxValidationCode(rawValue: 4242)?.fabricName == "4242")
    }
}
