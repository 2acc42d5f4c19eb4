@testable import FabricGateway
import FabricWire
import Foundation
import Testing

/// Choosing the evaluating peer and reading endorsers' answers as Fabric's gateway does (pure).
@Suite struct EvaluationPlanTests {
    static let local = EndorserCandidate(index: 0, address: "peer0.org1:7051", mspID: "Org1MSP", ledgerHeight: 10, isLocal: true)
    static let org1b = EndorserCandidate(index: 1, address: "peer1.org1:7051", mspID: "Org1MSP", ledgerHeight: 10)
    static let org2a = EndorserCandidate(index: 2, address: "peer0.org2:7051", mspID: "Org2MSP", ledgerHeight: 11)
    static let org3a = EndorserCandidate(index: 3, address: "peer0.org3:7051", mspID: "Org3MSP", ledgerHeight: 11)

    @Test func theGatewaysOrgEvaluatesWhenItMay() throws {
        let all = [Self.org2a, Self.org1b, Self.local]
        // Org2 is one block ahead: with no lag allowed only it is eligible.
        #expect(try EvaluationPlan.make(candidates: all, localMSPID: "Org1MSP").endorsers == [Self.org2a])
        #expect(try EvaluationPlan.make(candidates: all, localMSPID: "Org1MSP", maximumLag: 1).endorsers == [Self.local, Self.org1b])
        #expect(try EvaluationPlan.make(candidates: all, localMSPID: "Org1MSP", targetOrganizations: ["Org2MSP"],
                                        maximumLag: 1).endorsers == [Self.org2a])
    }

    @Test func otherwiseTheHighestLedgerThenTheSmallerMSPID() throws {
        let plan = try EvaluationPlan.make(candidates: [Self.org3a, Self.org2a, Self.org1b], localMSPID: "Org9MSP", maximumLag: 5)
        #expect(plan.endorsers == [Self.org2a])
    }

    @Test func transientDataStaysInTheGatewaysOrgUnlessTheClientNamesOrgs() throws {
        let all = [Self.org2a, Self.local]
        #expect(try EvaluationPlan.make(candidates: all, localMSPID: "Org1MSP", hasTransientData: true, maximumLag: 1).endorsers == [Self.local])
        #expect(try EvaluationPlan.make(candidates: all, localMSPID: "Org1MSP", targetOrganizations: ["Org2MSP"],
                                        hasTransientData: true, maximumLag: 1).endorsers == [Self.org2a])
        let failure = #expect(throws: GatewayFailure.self) {
            _ = try EvaluationPlan.make(candidates: [Self.org2a], localMSPID: "Org1MSP", hasTransientData: true)
        }
        #expect(failure?.code == .failedPrecondition)
        #expect(failure?.message.hasPrefix("no endorsers found in the gateway's organization; retry specifying target organization(s)") == true)
    }

    @Test func noPeerIsAFailedPrecondition() {
        let failure = #expect(throws: GatewayFailure.self) {
            _ = try EvaluationPlan.make(candidates: [Self.local], localMSPID: "Org1MSP", targetOrganizations: ["Org5MSP"],
                                        chaincode: "basic", channelID: "mychannel")
        }
        #expect(failure?.code == .failedPrecondition)
        #expect(failure?.message == "no peers of org(s) Org5MSP available to evaluate chaincode basic in channel mychannel")
    }

    @Test func aChaincodeErrorIsUnknownWithFabricsMessage() throws {
        var plan = try EvaluationPlan.make(candidates: [Self.local, Self.org1b], localMSPID: "Org1MSP")
        #expect(plan.first == .ask(Self.local))
        let answer = EndorserAnswer.classify(.success(.with {
            $0.response.status = 500
            $0.response.message = "the asset asset9 does not exist"
            $0.payload = Data("response payload".utf8)
        }))
        let step = plan.record(Self.local, answer)
        let expected = GatewayFailure(.unknown, "evaluate call to endorser returned error: chaincode response 500, the asset asset9 does not exist",
                                      details: [GatewayFailure.detail(address: "peer0.org1:7051", mspID: "Org1MSP",
                                                                      "chaincode response 500, the asset asset9 does not exist")])
        #expect(step == .failed(expected))
    }

    @Test func anUnreachablePeerIsRetriedWithinItsOrgThenTheCallFails() throws {
        var plan = try EvaluationPlan.make(candidates: [Self.local, Self.org1b], localMSPID: "Org1MSP")
        let down = EndorserAnswer.classify(.failure(Unreachable(address: "x")))
        #expect(plan.record(Self.local, down) == .ask(Self.org1b))
        guard case .failed(let failure) = plan.record(Self.org1b, down) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.code == .unavailable)
        #expect(failure.message == "failed to evaluate transaction, see attached details for more info")
        #expect(failure.details.map(\.address) == ["peer0.org1:7051", "peer1.org1:7051"])
    }

    @Test func answersAreReadAsFabricsGatewayReadsThem() {
        #expect(EndorserAnswer.classify(.failure(GatewayRefusal("access denied"))) ==
                .failed(code: .failedPrecondition, message: "access denied", retry: false))
        #expect(EndorserAnswer.classify(.failure(Unreachable(address: "peer0:7051"))) ==
                .failed(code: .unavailable, message: "connection to peer0:7051 refused", retry: true))
        #expect(EndorserAnswer.classify(.success(.with { $0.response.status = 500; $0.response.message = "chaincode basic is not running" })) ==
                .failed(code: .aborted, message: "chaincode basic is not running", retry: true))
        #expect(EndorserAnswer.classify(.success(.with { $0.response.status = 404; $0.response.message = "no"; $0.payload = Data([1]) })) ==
                .failed(code: .unknown, message: "chaincode response 404, no", retry: false))
        let fine = Protos_ProposalResponse.with { $0.response.status = 200; $0.payload = Data([1]) }
        #expect(EndorserAnswer.classify(.success(fine)) == .endorsed(fine))
    }

    @Test func theEvaluateResultComesFromTheChaincodeActionInThePayload() throws {
        let signed = try signedProposal()
        let proposal = try UnpackedProposal.unpack(signed)
        let inner = Protos_Response.with { $0.status = 200; $0.payload = Data("{\"ID\":\"asset1\"}".utf8) }
        let payload = try EndorsedTransaction.responsePayload(proposal: proposal, results: Data(), events: Data(),
                                                              response: inner, chaincodeID: .with { $0.name = "basic" })
        let response = Protos_ProposalResponse.with {
            $0.response.status = 200
            $0.response.payload = Data("not the result".utf8)
            $0.payload = payload
        }
        #expect(GatewayResults.evaluateResult(response).payload == Data("{\"ID\":\"asset1\"}".utf8))
        #expect(GatewayResults.statusName(.badRequest) == "BAD_REQUEST")
    }
}
