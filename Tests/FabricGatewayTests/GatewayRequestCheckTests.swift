@testable import FabricGateway
import FabricWire
import Foundation
import GRPCCore
import SwiftProtobuf
import Testing

/// The checks made before anyone is asked (pure).
@Suite struct GatewayRequestCheckTests {
    /// The GatewayFailure `body` throws, nil when it throws none (or something else).
    func failure(_ body: () throws -> Void) -> GatewayFailure? {
        do { try body() } catch { return error as? GatewayFailure }
        return nil
    }

    @Test func aProposalIsUnpackedAndItsIdsMayBeRepeated() throws {
        let signed = try signedProposal()
        let tx = try txID(of: signed)
        let proposal = try GatewayRequestCheck.proposal(signed, call: .endorse, transactionID: tx, channelID: "mychannel")
        #expect(proposal.chaincodeName == "basic")
        #expect(try GatewayRequestCheck.proposal(signed, call: .evaluate, transactionID: "", channelID: "").txID == tx)
    }

    @Test func idsThatDisagreeWithTheProposalAreInvalid() throws {
        let signed = try signedProposal()
        let wrongTx = failure { _ = try GatewayRequestCheck.proposal(signed, call: .endorse, transactionID: "abc", channelID: "") }
        #expect(wrongTx?.code == .invalidArgument)
        #expect(wrongTx?.message.hasPrefix("the request's transaction_id abc is not the proposal's tx id") == true)
        let wrongChannel = failure { _ = try GatewayRequestCheck.proposal(signed, call: .endorse, transactionID: "", channelID: "other") }
        #expect(wrongChannel?.message.hasPrefix("the request's channel_id 'other' is not the proposal's channel 'mychannel'") == true)
    }

    @Test func missingOrBrokenProposalsAreInvalidWithFabricsWords() throws {
        #expect(failure { _ = try GatewayRequestCheck.proposal(nil, call: .evaluate, transactionID: "", channelID: "") } ==
                GatewayFailure(.invalidArgument, "failed to unpack transaction proposal: a signed proposal is required"))
        #expect(failure { _ = try GatewayRequestCheck.proposal(nil, call: .endorse, transactionID: "", channelID: "") } ==
                GatewayFailure(.invalidArgument, "the proposed transaction must contain a signed proposal"))
        let garbage = Protos_SignedProposal.with { $0.proposalBytes = Data([0xFF, 0xFF]) }
        let broken = failure { _ = try GatewayRequestCheck.proposal(garbage, call: .evaluate, transactionID: "", channelID: "") }
        #expect(broken?.code == .invalidArgument)
        #expect(broken?.message.hasPrefix("failed to unpack transaction proposal: ") == true)
    }

    @Test func aSubmissionMustBeSignedAndOpen() throws {
        #expect(failure { _ = try GatewayRequestCheck.submission(Gateway_SubmitRequest()) } ==
                GatewayFailure(.invalidArgument, "a prepared transaction is required"))
        let unsigned = Gateway_SubmitRequest.with { $0.preparedTransaction.payload = Data([1]) }
        #expect(failure { _ = try GatewayRequestCheck.submission(unsigned) } ==
                GatewayFailure(.invalidArgument, "prepared transaction must be signed"))
        let garbled = Gateway_SubmitRequest.with { $0.preparedTransaction.payload = Data([0xFF]); $0.preparedTransaction.signature = Data([1]) }
        #expect(failure { _ = try GatewayRequestCheck.submission(garbled) }?.code == .invalidArgument)
    }

    @Test func aCommitStatusRequestNamesIdentityChannelAndTransaction() throws {
        #expect(failure { _ = try GatewayRequestCheck.commitStatus(Gateway_SignedCommitStatusRequest()) } ==
                GatewayFailure(.invalidArgument, "a commit status request is required"))
        func signed(_ request: Gateway_CommitStatusRequest) throws -> Gateway_SignedCommitStatusRequest {
            try .with { $0.request = try request.serializedBytes(); $0.signature = Data("good".utf8) }
        }
        let full = Gateway_CommitStatusRequest.with { $0.transactionID = "tx1"; $0.channelID = "mychannel"; $0.identity = Data([1]) }
        #expect(try GatewayRequestCheck.commitStatus(signed(full)) == full)
        var noIdentity = full
        noIdentity.identity = Data()
        #expect(failure { _ = try GatewayRequestCheck.commitStatus(try! signed(noIdentity)) }?.message == "no identity provided")
        var noChannel = full
        noChannel.channelID = ""
        #expect(failure { _ = try GatewayRequestCheck.commitStatus(try! signed(noChannel)) }?.message == "no channel ID provided")
        var noTx = full
        noTx.transactionID = ""
        #expect(failure { _ = try GatewayRequestCheck.commitStatus(try! signed(noTx)) }?.message == "transaction ID should not be empty")
    }

    @Test func failuresCarryTheirDetailsInTheStatusTrailer() {
        let detail = GatewayFailure.detail(address: "peer0.org2:7051", mspID: "Org2MSP", "ProposalResponsePayloads do not match")
        let failure = GatewayFailure(.aborted, "failed to collect enough transaction endorsements, see attached details for more info",
                                     details: [detail])
        let error = failure.rpcError
        #expect(error.code == .aborted)
        #expect(error.message == failure.message)
        #expect(GatewayFailure.details(of: error) == [detail])
        #expect(GatewayFailure.details(of: GatewayFailure(.notFound, "x").rpcError).isEmpty)
    }
}
