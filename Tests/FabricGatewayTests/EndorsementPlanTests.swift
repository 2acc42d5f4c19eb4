@testable import FabricGateway
import FabricPolicy
import FabricWire
import Testing

/// Planning from a chaincode's endorsement policy and the peers available (pure).
@Suite struct EndorsementPlanTests {
    static let peers = [
        EndorserCandidate(index: 0, address: "peer1.org1:7051", mspID: "Org1MSP", ledgerHeight: 10, isLocal: false),
        EndorserCandidate(index: 1, address: "peer0.org1:7051", mspID: "Org1MSP", ledgerHeight: 10, isLocal: true),
        EndorserCandidate(index: 2, address: "peer0.org2:7051", mspID: "Org2MSP", ledgerHeight: 10),
        EndorserCandidate(index: 3, address: "peer1.org2:7051", mspID: "Org2MSP", ledgerHeight: 10),
    ]
    let channel = testChannel()

    func makePlan(_ policy: EndorsementPolicy, local: String = "Org1MSP", peers: [EndorserCandidate] = EndorsementPlanTests.peers,
              orgs: [String] = [], channel: PolicyEvaluator? = testChannel()) throws -> EndorsementPlan {
        try EndorsementPlan.make(policy: policy, channel: channel, candidates: peers, localMSPID: local,
                                 requestedOrganizations: orgs, chaincode: "basic", channelID: "mychannel")
    }

    @Test func majorityOfTwoOrgsNeedsBothTheGatewaysOrgFirst() throws {
        let plan = try makePlan(.channelDefault, local: "Org2MSP")
        #expect(plan.layouts.map(\.organizations) == [["Org2MSP", "Org1MSP"]])
        var collector = EndorsementCollector(plan)
        #expect(collector.next() == .ask([Self.peers[2], Self.peers[1]]))
    }

    @Test func theGatewaysOwnPeerIsAskedFirstInItsOrg() throws {
        let plan = try makePlan(.channelDefault)
        #expect(plan.endorsers["Org1MSP"]?.map(\.address) == ["peer0.org1:7051", "peer1.org1:7051"])
        #expect(plan.endorsers["Org2MSP"]?.map(\.address) == ["peer0.org2:7051", "peer1.org2:7051"])
    }

    @Test func anyOrgOfAnOrIsEnoughAndTheGatewaysOrgComesFirst() throws {
        let policy = signaturePolicy("OR('Org1MSP.peer', 'Org2MSP.peer')")
        #expect(try makePlan(policy, local: "Org2MSP").layouts.map(\.organizations) == [["Org2MSP"], ["Org1MSP"]])
        #expect(try makePlan(policy, local: "Org1MSP").layouts.map(\.organizations) == [["Org1MSP"], ["Org2MSP"]])
    }

    @Test func aMajorityOfThreeOrgsListsEveryMinimalPairGatewayOrgFirst() throws {
        let peers = Self.peers + [EndorserCandidate(index: 4, address: "peer0.org3:7051", mspID: "Org3MSP", ledgerHeight: 10)]
        let plan = try makePlan(.channelDefault, local: "Org2MSP", peers: peers,
                            channel: testChannel(orgs: ["Org1MSP", "Org2MSP", "Org3MSP"]))
        #expect(plan.layouts.map(\.organizations) == [["Org2MSP", "Org1MSP"], ["Org2MSP", "Org3MSP"], ["Org1MSP", "Org3MSP"]])
    }

    @Test func explicitOrganizationsAreExactlyThoseOrgs() throws {
        // The client owns the policy: one org is planned even though MAJORITY needs two.
        let plan = try makePlan(.channelDefault, orgs: ["Org2MSP", "Org2MSP"])
        #expect(plan.layouts.map(\.organizations) == [["Org2MSP"]])
        let failure = #expect(throws: GatewayFailure.self) { _ = try self.makePlan(.channelDefault, orgs: ["Org2MSP", "Org3MSP"]) }
        #expect(failure?.code == .unavailable)
        #expect(failure?.message == "failed to find any endorsing peers for org(s): Org3MSP")
    }

    @Test func onlyPeersAtTheHighestKnownHeightAreAsked() throws {
        var peers = Self.peers
        peers[1].ledgerHeight = 9 // the gateway's own peer lags one block
        peers[3].ledgerHeight = 8
        let plan = try makePlan(.channelDefault, peers: peers)
        #expect(plan.endorsers["Org1MSP"]?.map(\.address) == ["peer1.org1:7051"])
        #expect(plan.endorsers["Org2MSP"]?.map(\.address) == ["peer0.org2:7051"])
        let lenient = try EndorsementPlan.make(policy: .channelDefault, channel: channel, candidates: peers,
                                               localMSPID: "Org1MSP", maximumLag: 1)
        #expect(lenient.endorsers["Org1MSP"]?.map(\.address) == ["peer1.org1:7051", "peer0.org1:7051"])
        #expect(lenient.endorsers["Org2MSP"]?.map(\.address) == ["peer0.org2:7051"])
    }

    @Test func thePlanDoesNotDependOnTheOrderPeersAreListedIn() throws {
        let forward = try makePlan(.channelDefault, peers: Self.peers)
        let backward = try makePlan(.channelDefault, peers: Self.peers.reversed())
        #expect(forward == backward)
    }

    @Test func severalPeersOfOneOrgWhenThePolicySaysSo() throws {
        let plan = try makePlan(signaturePolicy("AND('Org1MSP.peer', 'Org1MSP.peer')"))
        #expect(plan.layouts == [EndorsementPlan.Layout([.init("Org1MSP", 2)])])
    }

    @Test func aPolicyNobodyAvailableSatisfiesIsAFailedPrecondition() throws {
        let failure = #expect(throws: GatewayFailure.self) {
            _ = try self.makePlan(signaturePolicy("AND('Org1MSP.peer', 'Org3MSP.peer')"))
        }
        #expect(failure?.code == .failedPrecondition)
        #expect(failure?.message.contains("chaincode 'basic'") == true)
        #expect(failure?.message.contains("Org1MSP (2), Org2MSP (2)") == true)
    }

    @Test func theFailureSaysWhenLaggingPeersWereLeftOut() throws {
        var peers = Self.peers
        peers[2].ledgerHeight = 9
        peers[3].ledgerHeight = 9
        let failure = #expect(throws: GatewayFailure.self) { _ = try self.makePlan(.channelDefault, peers: peers) }
        #expect(failure?.message.contains("peers by org: Org1MSP (2); 2 more peer(s) were left out, being over 0 block(s) behind the highest ledger height known, 10") == true)
    }

    @Test func aChannelPolicyReferenceWithoutTheChannelIsNotSatisfied() throws {
        #expect(throws: GatewayFailure.self) { _ = try self.makePlan(.channelDefault, channel: nil) }
    }
}
