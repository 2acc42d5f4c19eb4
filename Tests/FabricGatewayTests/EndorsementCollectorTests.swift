@testable import FabricGateway
import FabricWire
import Foundation
import Testing

/// Gathering endorsements along a plan: rounds, retries within an org, payload comparison (pure).
@Suite struct EndorsementCollectorTests {
    static let org1a = EndorserCandidate(index: 0, address: "peer0.org1:7051", mspID: "Org1MSP", ledgerHeight: 10, isLocal: true)
    static let org1b = EndorserCandidate(index: 1, address: "peer1.org1:7051", mspID: "Org1MSP", ledgerHeight: 10)
    static let org2a = EndorserCandidate(index: 2, address: "peer0.org2:7051", mspID: "Org2MSP", ledgerHeight: 10)

    static func plan(_ layouts: [[String]]) -> EndorsementPlan {
        EndorsementPlan(layouts: layouts.map { EndorsementPlan.Layout($0.map { .init($0) }) },
                        endorsers: ["Org1MSP": [org1a, org1b], "Org2MSP": [org2a]])
    }

    static func endorsed(_ payload: String, by endorser: EndorserCandidate) -> EndorserAnswer {
        .endorsed(.with {
            $0.response.status = 200
            $0.payload = Data(payload.utf8)
            $0.endorsement.endorser = Data(endorser.address.utf8)
            $0.endorsement.signature = Data("sig".utf8)
        })
    }

    static let unreachable = EndorserAnswer.failed(code: .unavailable, message: "connection refused", retry: true)

    @Test func bothOrgsEndorseTheSamePayload() {
        var collector = EndorsementCollector(Self.plan([["Org1MSP", "Org2MSP"]]))
        #expect(collector.next() == .ask([Self.org1a, Self.org2a]))
        collector.record(Self.org1a, Self.endorsed("same", by: Self.org1a))
        collector.record(Self.org2a, Self.endorsed("same", by: Self.org2a))
        guard case .endorsed(let payload, let endorsements) = collector.next() else {
            Issue.record("expected the endorsements")
            return
        }
        #expect(payload == Data("same".utf8))
        #expect(endorsements.map { String(decoding: $0.endorser, as: UTF8.self) } == ["peer0.org1:7051", "peer0.org2:7051"])
    }

    @Test func aFailingEndorserIsReplacedByAnotherOfItsOrg() {
        var collector = EndorsementCollector(Self.plan([["Org1MSP", "Org2MSP"]]))
        #expect(collector.next() == .ask([Self.org1a, Self.org2a]))
        collector.record(Self.org1a, Self.unreachable)
        collector.record(Self.org2a, Self.endorsed("same", by: Self.org2a))
        #expect(collector.next() == .ask([Self.org1b]))
        collector.record(Self.org1b, Self.endorsed("same", by: Self.org1b))
        guard case .endorsed(_, let endorsements) = collector.next() else {
            Issue.record("expected the endorsements")
            return
        }
        #expect(endorsements.map { String(decoding: $0.endorser, as: UTF8.self) } == ["peer1.org1:7051", "peer0.org2:7051"])
        #expect(collector.details.map(\.address) == ["peer0.org1:7051"])
    }

    @Test func mismatchedPayloadsAbort() {
        var collector = EndorsementCollector(Self.plan([["Org1MSP", "Org2MSP"]]))
        _ = collector.next()
        collector.record(Self.org1a, Self.endorsed("one", by: Self.org1a))
        collector.record(Self.org2a, Self.endorsed("other", by: Self.org2a))
        // Org2 has no other peer: the layout cannot be completed.
        let expected = GatewayFailure(.aborted, "failed to collect enough transaction endorsements, see attached details for more info",
                                      details: [GatewayFailure.detail(address: "peer0.org2:7051", mspID: "Org2MSP",
                                                                      "ProposalResponsePayloads do not match")])
        #expect(collector.next() == .failed(expected))
    }

    @Test func whenNobodyEndorsesTheFailureSaysSoWithEveryPeersDetail() {
        var collector = EndorsementCollector(Self.plan([["Org1MSP"]]))
        #expect(collector.next() == .ask([Self.org1a]))
        collector.record(Self.org1a, .failed(code: .unknown, message: "chaincode response 500, asset1 does not exist", retry: false))
        #expect(collector.next() == .ask([Self.org1b]))
        collector.record(Self.org1b, Self.unreachable)
        guard case .failed(let failure) = collector.next() else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.code == .aborted)
        #expect(failure.message == "failed to endorse transaction, see attached details for more info")
        #expect(failure.details.map(\.message) == ["chaincode response 500, asset1 does not exist", "connection refused"])
        #expect(failure.details.map(\.mspID) == ["Org1MSP", "Org1MSP"])
    }

    @Test func anOrFallsBackToTheNextLayoutWhenAnOrgRunsOut() {
        var collector = EndorsementCollector(Self.plan([["Org2MSP"], ["Org1MSP"]]))
        #expect(collector.next() == .ask([Self.org2a]))
        collector.record(Self.org2a, Self.unreachable)
        #expect(collector.next() == .ask([Self.org1a]))
        collector.record(Self.org1a, Self.endorsed("p", by: Self.org1a))
        guard case .endorsed(_, let endorsements) = collector.next() else {
            Issue.record("expected the endorsements")
            return
        }
        #expect(endorsements.count == 1)
    }

    @Test func endorsementsAlreadyCollectedCountForTheNextLayout() {
        // MAJORITY of three: Org1 + Org2 first; Org2 fails, so Org1 + Org3 asks only Org3.
        let org3 = EndorserCandidate(index: 3, address: "peer0.org3:7051", mspID: "Org3MSP", ledgerHeight: 10)
        let plan = EndorsementPlan(layouts: [.init([.init("Org1MSP"), .init("Org2MSP")]), .init([.init("Org1MSP"), .init("Org3MSP")])],
                                   endorsers: ["Org1MSP": [Self.org1a], "Org2MSP": [Self.org2a], "Org3MSP": [org3]])
        var collector = EndorsementCollector(plan)
        #expect(collector.next() == .ask([Self.org1a, Self.org2a]))
        collector.record(Self.org1a, Self.endorsed("p", by: Self.org1a))
        collector.record(Self.org2a, Self.unreachable)
        #expect(collector.next() == .ask([org3]))
        collector.record(org3, Self.endorsed("p", by: org3))
        guard case .endorsed(_, let endorsements) = collector.next() else {
            Issue.record("expected the endorsements")
            return
        }
        #expect(endorsements.map { String(decoding: $0.endorser, as: UTF8.self) } == ["peer0.org1:7051", "peer0.org3:7051"])
    }
}
