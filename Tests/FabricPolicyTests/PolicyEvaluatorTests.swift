import FabricPolicy
import FabricWire
import Foundation
import Testing

/// Fabric's evaluation semantics on a two-org channel tree built in memory.
@Suite struct PolicyEvaluatorTests {
    static func policy(_ type: String, _ rule: String) -> Common_Policy {
        try! PolicyDefinition.policy(type: type, rule: rule)
    }

    static func peerOrg(_ msp: String) -> ConfigPolicyGroup {
        ConfigPolicyGroup(policies: [
            "Readers": policy("Signature", "OR('\(msp).admin', '\(msp).peer', '\(msp).client')"),
            "Writers": policy("Signature", "OR('\(msp).admin', '\(msp).client')"),
            "Admins": policy("Signature", "OR('\(msp).admin')"),
            "Endorsement": policy("Signature", "OR('\(msp).peer')"),
        ])
    }

    static let tree = ConfigPolicyGroup(
        policies: ["Readers": policy("ImplicitMeta", "ANY Readers"), "Writers": policy("ImplicitMeta", "ANY Writers"),
                   "Admins": policy("ImplicitMeta", "MAJORITY Admins")],
        groups: [
            "Application": ConfigPolicyGroup(
                policies: ["Readers": policy("ImplicitMeta", "ANY Readers"), "Writers": policy("ImplicitMeta", "ANY Writers"),
                           "Admins": policy("ImplicitMeta", "MAJORITY Admins"),
                           "Endorsement": policy("ImplicitMeta", "MAJORITY Endorsement"),
                           "AllEndorse": policy("ImplicitMeta", "ALL Endorsement")],
                groups: ["Org1MSP": peerOrg("Org1MSP"), "Org2MSP": peerOrg("Org2MSP")]),
            "Orderer": ConfigPolicyGroup(
                policies: ["Readers": policy("ImplicitMeta", "ANY Readers"), "Writers": policy("ImplicitMeta", "ANY Writers"),
                           "Admins": policy("ImplicitMeta", "MAJORITY Admins"),
                           "BlockValidation": policy("ImplicitMeta", "ANY Writers")],
                groups: ["OrdererMSP": ConfigPolicyGroup(policies: [
                    "Readers": policy("Signature", "OR('OrdererMSP.member')"),
                    "Writers": policy("Signature", "OR('OrdererMSP.member')"),
                    "Admins": policy("Signature", "OR('OrdererMSP.admin')"),
                ])]),
        ])

    let evaluator = PolicyEvaluator(root: Self.tree)
    let client1 = PolicySigner(mspID: "Org1MSP", roles: [.member, .client])
    let peer1 = PolicySigner(mspID: "Org1MSP", roles: [.member, .peer])
    let peer2 = PolicySigner(mspID: "Org2MSP", roles: [.member, .peer])
    let orderer = PolicySigner(mspID: "OrdererMSP", roles: [.member, .orderer])

    @Test func aClientOfOrg1WritesToTheApplication() {
        #expect(evaluator.evaluate("/Channel/Application/Writers", signers: [client1]).satisfied)
        #expect(evaluator.evaluate("Application/Writers", signers: [client1]).satisfied)
        #expect(evaluator.evaluate("/Channel/Writers", signers: [client1]).satisfied)
    }

    @Test func anOrdererIsNoApplicationWriterButValidatesBlocks() {
        let result = evaluator.evaluate("/Channel/Application/Writers", signers: [orderer])
        #expect(!result.satisfied)
        #expect(result.explanation.hasPrefix("ANY Writers at /Channel/Application: 0 of 2 satisfied, 1 needed"))
        #expect(evaluator.evaluate("/Channel/Orderer/BlockValidation", signers: [orderer]).satisfied)
        #expect(evaluator.evaluate("/Channel/Readers", signers: [orderer]).satisfied)
    }

    @Test func majorityEndorsementNeedsBothOrgsOfTwo() {
        let one = evaluator.evaluate("/Channel/Application/Endorsement", signers: [peer1])
        #expect(!one.satisfied)
        #expect(one.explanation.hasPrefix("MAJORITY Endorsement at /Channel/Application: 1 of 2 satisfied (Org1MSP), 2 needed"))
        #expect(one.explanation.contains("/Channel/Application/Org2MSP/Endorsement: OR('Org2MSP.peer') not satisfied by Org1MSP.peer"))
        #expect(evaluator.evaluate("/Channel/Application/Endorsement", signers: [peer1, peer2]).satisfied)
        #expect(!evaluator.evaluate("/Channel/Application/Endorsement", signers: [peer1, client1]).satisfied)
        #expect(evaluator.evaluate("/Channel/Application/AllEndorse", signers: [peer2, peer1]).satisfied)
    }

    @Test func orgPoliciesByPath() {
        #expect(evaluator.evaluate("/Channel/Application/Org1MSP/Endorsement", signers: [peer1]).satisfied)
        #expect(!evaluator.evaluate("/Channel/Application/Org1MSP/Endorsement", signers: [client1]).satisfied)
        #expect(!evaluator.evaluate("/Channel/Application/Org1MSP/Admins", signers: [peer1]).satisfied)
    }

    @Test func missingPoliciesAreNotSatisfied() {
        let result = evaluator.evaluate("/Channel/Application/Nope", signers: [peer1])
        #expect(!result.satisfied)
        #expect(result.explanation == "no policy at /Channel/Application/Nope")
        #expect(!evaluator.evaluate("/Other/Writers", signers: [peer1]).satisfied)
    }

    @Test func implicitMetaOverNoSubGroupsIsSatisfiedAsInFabric() {
        let empty = PolicyEvaluator(root: ConfigPolicyGroup(policies: [
            "Any": Self.policy("ImplicitMeta", "ANY Readers"), "All": Self.policy("ImplicitMeta", "ALL Readers"),
            "Majority": Self.policy("ImplicitMeta", "MAJORITY Readers"),
        ]))
        for name in ["Any", "All", "Majority"] { #expect(empty.evaluate(name, signers: []).satisfied) }
    }

    @Test func aSubGroupWithoutTheSubPolicyCountsAsNotSatisfied() {
        var tree = Self.tree
        tree.groups["Application"]!.groups["Org3MSP"] = ConfigPolicyGroup()
        let result = PolicyEvaluator(root: tree).evaluate("/Channel/Application/Endorsement", signers: [peer1, peer2])
        #expect(result.satisfied, "2 of 3 is a majority")
        let all = PolicyEvaluator(root: tree).evaluate("/Channel/Application/AllEndorse", signers: [peer1, peer2])
        #expect(!all.satisfied)
        #expect(all.explanation.contains("no policy at /Channel/Application/Org3MSP/Endorsement"))
    }

    @Test func isSatisfiedAgreesWithEvaluateWithoutExplaining() throws {
        // Every subset of four signers against every kind of path: satisfied and not, missing,
        // malformed, a sub-group without the sub-policy.
        var tree = Self.tree
        tree.groups["Application"]!.groups["Org3MSP"] = ConfigPolicyGroup()
        let evaluator = PolicyEvaluator(root: tree)
        let everyone = [client1, peer1, peer2, orderer]
        let paths = ["/Channel/Application/Endorsement", "/Channel/Application/AllEndorse", "Application/Writers", "/Channel/Readers",
                     "/Channel/Orderer/BlockValidation", "/Channel/Application/Org1MSP/Endorsement", "/Channel/Application/Nope",
                     "/Other/Writers", "/", "Admins"]
        for mask in 0..<(1 << everyone.count) {
            let signers = everyone.indices.filter { mask & (1 << $0) != 0 }.map { everyone[$0] }
            for path in paths {
                #expect(evaluator.isSatisfied(path, signers: signers) == evaluator.evaluate(path, signers: signers).satisfied, "\(path) \(mask)")
            }
            for rule in ["AND('Org1MSP.peer', 'Org2MSP.peer')", "OR('Org1MSP.client', 'OrdererMSP.member')", "OutOf(2, 'Org1MSP.member', 'Org2MSP.peer', 'OrdererMSP.orderer')"] {
                let envelope = try SignaturePolicyRule.parse(rule)
                #expect(PolicyEvaluator.isSatisfied(envelope, signers: signers) == PolicyEvaluator.evaluate(envelope, signers: signers).satisfied, "\(rule) \(mask)")
            }
        }
        #expect(evaluator.isSatisfied("/Channel/Application/Endorsement", signers: [peer1, peer2]))
        #expect(!evaluator.isSatisfied("/Channel/Application/Endorsement", signers: [peer1, peer1]))
    }

    // MARK: signature policies

    func check(_ rule: String, _ signers: [PolicySigner]) throws -> Bool {
        PolicyEvaluator.evaluate(try SignaturePolicyRule.parse(rule), signers: signers).satisfied
    }

    @Test func gates() throws {
        #expect(try check("AND('Org1MSP.peer', 'Org2MSP.peer')", [peer1, peer2]))
        #expect(try !check("AND('Org1MSP.peer', 'Org2MSP.peer')", [peer1]))
        #expect(try check("OR('Org1MSP.admin', 'Org2MSP.peer')", [peer2]))
        #expect(try check("OutOf(2, 'Org1MSP.peer', 'Org2MSP.peer', 'OrdererMSP.orderer')", [orderer, peer2]))
        #expect(try !check("OutOf(2, 'Org1MSP.peer', 'Org2MSP.peer', 'OrdererMSP.orderer')", [orderer]))
        #expect(try check("OR('Org1MSP.member', AND('Org2MSP.peer', 'OrdererMSP.member'))", [peer2, orderer]))
        #expect(try check("OutOf(0, 'Org1MSP.peer')", []))
        #expect(try !check("OutOf(2, 'Org1MSP.peer')", [peer1]))
    }

    @Test func oneSignerSatisfiesOnePrincipal() throws {
        #expect(try !check("AND('Org1MSP.member', 'Org1MSP.peer')", [peer1]))
        #expect(try !check("AND('Org1MSP.peer', 'Org1MSP.peer')", [peer1]))
        #expect(try check("AND('Org1MSP.peer', 'Org1MSP.member')", [peer1, client1]))
    }

    @Test func greedyOrderMattersAsInFabric() throws {
        // member consumes the first free signer, the peer, so peer finds only the client.
        #expect(try !check("AND('Org1MSP.member', 'Org1MSP.peer')", [peer1, client1]))
        #expect(try check("AND('Org1MSP.member', 'Org1MSP.peer')", [client1, peer1]))
    }

    @Test func theSameIdentityTwiceCountsOnce() throws {
        let a = PolicySigner(mspID: "Org1MSP", roles: [.member, .peer], identity: Data("peer0".utf8))
        #expect(try !check("AND('Org1MSP.peer', 'Org1MSP.peer')", [a, a]))
        let b = PolicySigner(mspID: "Org1MSP", roles: [.member, .peer], identity: Data("peer1".utf8))
        #expect(try check("AND('Org1MSP.peer', 'Org1MSP.peer')", [a, b]))
    }
}
