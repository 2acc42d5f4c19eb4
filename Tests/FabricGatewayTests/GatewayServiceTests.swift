@testable import FabricGateway
import FabricPolicy
import FabricWire
import Foundation
import GRPCCore
import SwiftProtobuf
import Testing

/// The Gateway's five calls through a GRPCEndpoint with Swift gRPC clients, over a fake backend.
@Suite(.serialized)
struct GatewayServiceTests {
    static func twoOrgs(org2: EndorserBehaviour = .endorse()) -> [FakeEndorser] {
        [FakeEndorser("peer0.org1:7051", "Org1MSP", local: true), FakeEndorser("peer1.org1:7051", "Org1MSP"),
         FakeEndorser("peer0.org2:7051", "Org2MSP", org2)]
    }

    @Test func evaluateAnswersTheChaincodesResultFromTheGatewaysOwnPeer() async throws {
        let backend = FakeBackend(endorsers: Self.twoOrgs())
        let signed = try signedProposal()
        let request = Gateway_EvaluateRequest.with {
            $0.proposedTransaction = signed
            $0.channelID = "mychannel"
            $0.transactionID = (try? txID(of: signed)) ?? ""
        }
        let response = try await withGateway(backend) { gateway in try await gateway.evaluate(request) }
        #expect(response.result.status == 200)
        #expect(response.result.payload == Data("the result".utf8))
        #expect(backend.endorserList.map(\.asked.count) == [1, 0, 0])
    }

    @Test func evaluateReportsAChaincodeErrorAsFabricsGatewayDoes() async throws {
        let endorsers = [FakeEndorser("peer0.org1:7051", "Org1MSP", local: true, .chaincodeError(status: 500, message: "the asset asset9 does not exist"))]
        let signed = try signedProposal()
        let error = try await withGateway(FakeBackend(endorsers: endorsers)) { gateway in
            try await rpcError { _ = try await gateway.evaluate(.with { $0.proposedTransaction = signed }) }
        }
        #expect(error.code == .unknown)
        #expect(error.message == "evaluate call to endorser returned error: chaincode response 500, the asset asset9 does not exist")
        #expect(GatewayFailure.details(of: error) == [GatewayFailure.detail(address: "peer0.org1:7051", mspID: "Org1MSP",
                                                                            "chaincode response 500, the asset asset9 does not exist")])
    }

    @Test func endorseUnderMajorityGathersBothOrgsAndPreparesTheTransaction() async throws {
        let backend = FakeBackend(endorsers: Self.twoOrgs())
        let signed = try signedProposal(args: ["CreateAsset", "asset1"])
        let response = try await withGateway(backend) { gateway in
            try await gateway.endorse(.with { $0.proposedTransaction = signed })
        }
        #expect(backend.endorserList.map(\.asked.count) == [1, 0, 1])
        let prepared = response.preparedTransaction
        #expect(prepared.signature.isEmpty)
        let proposal = try UnpackedProposal.unpack(signed)
        let payload = try Common_Payload(serializedBytes: prepared.payload)
        #expect(payload.header == proposal.header)
        let transaction = try Protos_Transaction(serializedBytes: payload.data)
        let action = try Protos_ChaincodeActionPayload(serializedBytes: transaction.actions[0].payload)
        #expect(action.chaincodeProposalPayload == proposal.proposalPayloadForTransaction)
        #expect(action.action.endorsements.map(\.endorser) == [backend.endorserList[0].identity, backend.endorserList[2].identity])
        let responsePayload = try Protos_ProposalResponsePayload(serializedBytes: action.action.proposalResponsePayload)
        #expect(responsePayload.proposalHash == proposal.proposalHash)
    }

    @Test func endorseWithAnOrPolicyAsksTheGatewaysOrgOnly() async throws {
        let backend = FakeBackend(policy: signaturePolicy("OR('Org1MSP.peer', 'Org2MSP.peer')"), endorsers: Self.twoOrgs())
        let signed = try signedProposal()
        let response = try await withGateway(backend) { gateway in try await gateway.endorse(.with { $0.proposedTransaction = signed }) }
        #expect(!response.preparedTransaction.payload.isEmpty)
        #expect(backend.endorserList.map(\.asked.count) == [1, 0, 0])
    }

    @Test func endorseAsksExactlyTheOrgsTheClientNames() async throws {
        let backend = FakeBackend(endorsers: Self.twoOrgs())
        let signed = try signedProposal()
        _ = try await withGateway(backend) { gateway in
            try await gateway.endorse(.with { $0.proposedTransaction = signed; $0.endorsingOrganizations = ["Org2MSP"] })
        }
        #expect(backend.endorserList.map(\.asked.count) == [0, 0, 1])
    }

    @Test func aFailingEndorserIsRetriedOnAnotherPeerOfItsOrg() async throws {
        let endorsers = [FakeEndorser("peer0.org1:7051", "Org1MSP", local: true, .unreachable), FakeEndorser("peer1.org1:7051", "Org1MSP"),
                         FakeEndorser("peer0.org2:7051", "Org2MSP")]
        let backend = FakeBackend(endorsers: endorsers)
        let signed = try signedProposal()
        let response = try await withGateway(backend) { gateway in try await gateway.endorse(.with { $0.proposedTransaction = signed }) }
        #expect(backend.endorserList.map(\.asked.count) == [1, 1, 1])
        let transaction = try Protos_Transaction(serializedBytes: try Common_Payload(serializedBytes: response.preparedTransaction.payload).data)
        let action = try Protos_ChaincodeActionPayload(serializedBytes: transaction.actions[0].payload)
        #expect(action.action.endorsements.map(\.endorser) == [endorsers[1].identity, endorsers[2].identity])
    }

    @Test func anEndorserPastTheTimeoutCountsAsUnreachable() async throws {
        let endorsers = [FakeEndorser("peer0.org1:7051", "Org1MSP", local: true, .hang), FakeEndorser("peer1.org1:7051", "Org1MSP"),
                         FakeEndorser("peer0.org2:7051", "Org2MSP")]
        let backend = FakeBackend(endorsers: endorsers)
        let signed = try signedProposal()
        let options = GatewayOptions(endorsementTimeout: .milliseconds(200))
        let response = try await withGateway(backend, options: options) { gateway in
            try await gateway.endorse(.with { $0.proposedTransaction = signed })
        }
        #expect(backend.endorserList.map(\.asked.count) == [1, 1, 1])
        #expect(!response.preparedTransaction.payload.isEmpty)
    }

    @Test func mismatchedPayloadsAbortWithTheEndorsersDetail() async throws {
        let backend = FakeBackend(endorsers: Self.twoOrgs(org2: .endorse(results: "a different read-write set")))
        let signed = try signedProposal()
        let error = try await withGateway(backend) { gateway in
            try await rpcError { _ = try await gateway.endorse(.with { $0.proposedTransaction = signed }) }
        }
        #expect(error.code == .aborted)
        #expect(error.message == "failed to collect enough transaction endorsements, see attached details for more info")
        #expect(GatewayFailure.details(of: error) == [GatewayFailure.detail(address: "peer0.org2:7051", mspID: "Org2MSP",
                                                                            "ProposalResponsePayloads do not match")])
    }

    @Test func aChaincodeErrorDuringEndorseIsAbortedWithItsDetail() async throws {
        let endorsers = [FakeEndorser("peer0.org1:7051", "Org1MSP", local: true, .chaincodeError(status: 500, message: "asset1 already exists"))]
        let backend = FakeBackend(policy: signaturePolicy("OR('Org1MSP.peer')"), endorsers: endorsers)
        let signed = try signedProposal()
        let error = try await withGateway(backend) { gateway in
            try await rpcError { _ = try await gateway.endorse(.with { $0.proposedTransaction = signed }) }
        }
        #expect(error.code == .aborted)
        #expect(error.message == "failed to endorse transaction, see attached details for more info")
        #expect(GatewayFailure.details(of: error).map(\.message) == ["chaincode response 500, asset1 already exists"])
    }

    @Test func unknownChannelsAndChaincodesAreNotFound() async throws {
        let backend = FakeBackend(endorsers: Self.twoOrgs())
        let otherChannel = try signedProposal(channel: "otherchannel")
        let otherChaincode = try signedProposal(chaincode: "missing")
        let (channel, chaincode) = try await withGateway(backend) { gateway in
            (try await rpcError { _ = try await gateway.evaluate(.with { $0.proposedTransaction = otherChannel }) },
             try await rpcError { _ = try await gateway.endorse(.with { $0.proposedTransaction = otherChaincode }) })
        }
        #expect(channel.code == .notFound)
        #expect(channel.message.hasPrefix("channel 'otherchannel' is not served by this peer"))
        #expect(chaincode.code == .notFound)
        #expect(chaincode.message.hasPrefix("chaincode 'missing' is not defined on channel 'mychannel'"))
    }

    @Test func aBadRequestIsAnInvalidArgument() async throws {
        let error = try await withGateway(FakeBackend(endorsers: Self.twoOrgs())) { gateway in
            try await rpcError { _ = try await gateway.endorse(Gateway_EndorseRequest()) }
        }
        #expect(error.code == .invalidArgument)
        #expect(error.message == "the proposed transaction must contain a signed proposal")
    }

    static func submitRequest() throws -> Gateway_SubmitRequest {
        let proposal = try UnpackedProposal.unpack(try signedProposal())
        var envelope = try GatewayResults.preparedTransaction(proposal: proposal, responsePayload: Data("p".utf8), endorsements: [])
        envelope.signature = Data("client signature".utf8)
        return .with { $0.preparedTransaction = envelope; $0.transactionID = proposal.txID; $0.channelID = "mychannel" }
    }

    @Test func submitHandsTheSignedEnvelopeToTheOrderer() async throws {
        let orderer = FakeOrderer("orderer0:7050", .success)
        let backend = FakeBackend(endorsers: Self.twoOrgs(), orderers: [orderer])
        let request = try Self.submitRequest()
        _ = try await withGateway(backend) { gateway in try await gateway.submit(request) }
        #expect(orderer.received == [request.preparedTransaction])
    }

    @Test func anOrdererRefusalIsAbortedWithItsStatus() async throws {
        let refusing = FakeOrderer("orderer0:7050", .badRequest, info: "the transaction is not signed by a channel writer")
        let second = FakeOrderer("orderer1:7050", .success)
        let backend = FakeBackend(endorsers: Self.twoOrgs(), orderers: [refusing, second])
        let request = try Self.submitRequest()
        let error = try await withGateway(backend) { gateway in try await rpcError { _ = try await gateway.submit(request) } }
        #expect(error.code == .aborted)
        #expect(error.message == "received unsuccessful response from orderer: status=BAD_REQUEST, info=the transaction is not signed by a channel writer")
        #expect(second.received.isEmpty)
    }

    @Test func unreachableOrderersAreTriedInTurnThenUnavailable() async throws {
        let down = FakeOrderer("orderer0:7050", nil)
        let busy = FakeOrderer("orderer1:7050", .serviceUnavailable, info: "no leader")
        let backend = FakeBackend(endorsers: Self.twoOrgs(), orderers: [down, busy])
        let request = try Self.submitRequest()
        let error = try await withGateway(backend) { gateway in try await rpcError { _ = try await gateway.submit(request) } }
        #expect(error.code == .unavailable)
        #expect(error.message == "no orderers could successfully process transaction")
        #expect(GatewayFailure.details(of: error).map(\.address) == ["orderer0:7050", "orderer1:7050"])
        #expect(GatewayFailure.details(of: error).last?.message == "received unsuccessful response from orderer: status=SERVICE_UNAVAILABLE, info=no leader")
    }

    static func commitStatusRequest(_ txID: String, signature: String = "good") throws -> Gateway_SignedCommitStatusRequest {
        let request = Gateway_CommitStatusRequest.with { $0.transactionID = txID; $0.channelID = "mychannel"; $0.identity = Data("client".utf8) }
        return try .with { $0.request = try request.serializedBytes(); $0.signature = Data(signature.utf8) }
    }

    @Test func commitStatusWaitsForTheCommit() async throws {
        let backend = FakeBackend(endorsers: Self.twoOrgs())
        let request = try Self.commitStatusRequest("tx-waits")
        let response = try await withGateway(backend) { gateway in
            async let status = gateway.commitStatus(request)
            // The call is waiting on the backend before the transaction commits.
            var waiters = backend.board.waiters.makeAsyncIterator()
            let waiting = await waiters.next()
            #expect(waiting == "tx-waits")
            await backend.board.commit("tx-waits", GatewayCommitStatus(code: .mvccReadConflict, blockNumber: 7))
            return try await status
        }
        #expect(response.result == .mvccReadConflict)
        #expect(response.blockNumber == 7)
    }

    @Test func aClientThatStopsWaitingForCommitStatusLeavesNothingBehind() async throws {
        let backend = FakeBackend(endorsers: Self.twoOrgs())
        let request = try Self.commitStatusRequest("tx-never")
        let error = try await withGateway(backend) { gateway in
            var options = CallOptions.defaults
            options.timeout = .milliseconds(300)
            return try await rpcError { _ = try await gateway.commitStatus(request, options: options) }
        }
        // The endpoint stopped (withGateway returned), so the waiting handler ended too: cancelled.
        #expect(error.code == .deadlineExceeded || error.code == .cancelled)
        #expect(await backend.board.cancelled == ["tx-never"])
    }

    @Test func commitStatusOfACommittedTransactionAnswersAtOnce() async throws {
        let backend = FakeBackend(endorsers: Self.twoOrgs())
        await backend.board.commit("tx-done", GatewayCommitStatus(code: .valid, blockNumber: 3))
        let request = try Self.commitStatusRequest("tx-done")
        let response = try await withGateway(backend) { gateway in try await gateway.commitStatus(request) }
        #expect(response.result == .valid)
        #expect(response.blockNumber == 3)
    }

    @Test func commitStatusNeedsAGoodSignatureOfAChannelReader() async throws {
        let orderer = FakeBackend(endorsers: Self.twoOrgs(), commitStatusSigner: PolicySigner(mspID: "OrdererMSP", roles: [.member, .orderer]))
        let notReader = try await withGateway(orderer) { gateway in
            try await rpcError { _ = try await gateway.commitStatus(try Self.commitStatusRequest("tx")) }
        }
        #expect(notReader.code == .permissionDenied)
        #expect(notReader.message.hasPrefix("OrdererMSP.orderer may not read the commit status of transactions on channel 'mychannel'"))
        let badSignature = try await withGateway(FakeBackend(endorsers: Self.twoOrgs())) { gateway in
            try await rpcError { _ = try await gateway.commitStatus(try Self.commitStatusRequest("tx", signature: "forged")) }
        }
        #expect(badSignature.code == .permissionDenied)
        #expect(badSignature.message.contains("the signature does not verify"))
    }
}
