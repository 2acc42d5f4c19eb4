import FabricPolicy
import FabricWire
import Foundation
import SwiftProtobuf
import Testing

/// Fabric's policy language reads into the rule tree and identity numbering Fabric's parser makes,
/// and bad rules say where and what is wrong.
@Suite struct SignaturePolicyRuleTests {
    func role(_ principal: Common_MSPPrincipal) throws -> String {
        let role = try Common_MSPRole(serializedBytes: principal.principal)
        return "\(role.mspIdentifier).\(role.role)"
    }

    @Test func orOfPrincipals() throws {
        let envelope = try SignaturePolicyRule.parse("OR('Org1MSP.admin', 'Org1MSP.peer', 'Org1MSP.client')")
        #expect(envelope.version == 0)
        #expect(try envelope.identities.map(role) == ["Org1MSP.admin", "Org1MSP.peer", "Org1MSP.client"])
        #expect(envelope.rule.nOutOf.n == 1)
        #expect(envelope.rule.nOutOf.rules.map(\.signedBy) == [0, 1, 2])
        #expect(envelope.identities.allSatisfy { $0.principalClassification == .role })
    }

    @Test func nestedGatesAreNumberedBeforeTheirParentsPrincipals() throws {
        // As Fabric's parser: the nested AND's principals get 0 and 1, the OR's own gets 2.
        let envelope = try SignaturePolicyRule.parse("OR('Org1MSP.member', AND('Org2MSP.peer', \"Org3MSP.peer\"))")
        #expect(try envelope.identities.map(role) == ["Org2MSP.peer", "Org3MSP.peer", "Org1MSP.member"])
        let rules = envelope.rule.nOutOf.rules
        #expect(rules[0].signedBy == 2)
        #expect(rules[1].nOutOf.n == 2)
        #expect(rules[1].nOutOf.rules.map(\.signedBy) == [0, 1])
    }

    @Test func outOfSpellingsAndWhitespace() throws {
        for text in ["OutOf(2, 'A.peer', 'B.peer', 'C.peer')", "  outof ( 2 ,'A.peer','B.peer' , 'C.peer' ) ", "OUTOF(2,'A.peer','B.peer','C.peer')"] {
            let envelope = try SignaturePolicyRule.parse(text)
            #expect(envelope.rule.nOutOf.n == 2, "\(text)")
            #expect(envelope.identities.count == 3)
        }
        #expect(try SignaturePolicyRule.parse("and('A.orderer', 'B.admin')").rule.nOutOf.n == 2)
        #expect(try SignaturePolicyRule.parse("Or('a.b.c-MSP.member')").identities.map(role) == ["a.b.c-MSP.member"])
    }

    @Test func repeatedPrincipalsAreListedEachTimeAsFabricDoes() throws {
        let envelope = try SignaturePolicyRule.parse("AND('Org1MSP.peer', 'Org1MSP.peer')")
        #expect(envelope.identities.count == 2)
        #expect(envelope.rule.nOutOf.rules.map(\.signedBy) == [0, 1])
    }

    @Test func textRoundTrips() throws {
        let text = "OR('Org1MSP.member', AND('Org2MSP.peer', 'Org3MSP.peer'), OutOf(2, 'A.admin', 'B.client', 'C.orderer'))"
        #expect(SignaturePolicyText.text(of: try SignaturePolicyRule.parse(text)) == text)
    }

    @Test(arguments: [
        ("OR('Org1MSP.member'", 19, "OR( is not closed"),
        ("OR('Org1MSP.boss')", 3, "unknown role 'boss' in 'Org1MSP.boss'"),
        ("XOR('Org1MSP.member')", 0, "unknown gate 'XOR'"),
        ("OR('Org1MSP.member') junk", 21, "unexpected 'j' after the end of the rule"),
        ("'Org1MSP.member'", 0, "a rule must be a gate, not a bare principal"),
        ("OutOf(4, 'A.peer', 'B.peer')", 0, "OutOf(4, …) has 2 parts"),
        ("OutOf('A.peer')", 6, "OutOf needs a whole number first"),
        ("OR('Org1MSP)", 3, "the principal starting here has no closing '"),
        ("OR('member')", 3, "'member' is not <MSP ID>.<role>"),
        ("OR('Org1MSP.member' 'Org2MSP.member')", 20, "unexpected ''' in OR(…)"),
        ("", 0, "the rule ends where a gate or principal should be"),
    ])
    func errorsSayWhereAndWhat(rule: String, position: Int, problem: String) throws {
        let error = try #require(throws: PolicyRuleError.self) { try SignaturePolicyRule.parse(rule) }
        #expect(error.problem == problem)
        #expect(error.position == position)
        #expect(!error.hint.isEmpty)
        #expect(error.description.hasPrefix("policy rule \"\(rule)\": at character \(position + 1), \(problem)"))
    }

    @Test func implicitMetaRules() throws {
        let majority = try ImplicitMetaRule.parse("MAJORITY Endorsement")
        #expect(majority.rule == .majority)
        #expect(majority.subPolicy == "Endorsement")
        #expect(try ImplicitMetaRule.parse("  ANY   Readers ").rule == .any)
        #expect(try ImplicitMetaRule.parse("ALL Writers").rule == .all)
        let error = try #require(throws: PolicyRuleError.self) { try ImplicitMetaRule.parse("MOST Admins") }
        #expect(error.problem == "unknown rule 'MOST'")
        #expect(throws: PolicyRuleError.self) { try ImplicitMetaRule.parse("ANY") }
    }

    @Test func policyDefinitionsCarryTheSerializedInnerPolicy() throws {
        let signature = try PolicyDefinition.policy(type: "Signature", rule: "OR('Org1MSP.peer')")
        #expect(signature.type == 1)
        #expect(try Common_SignaturePolicyEnvelope(serializedBytes: signature.value) == SignaturePolicyRule.parse("OR('Org1MSP.peer')"))
        let meta = try PolicyDefinition.policy(type: "ImplicitMeta", rule: "ANY Readers")
        #expect(meta.type == 3)
        #expect(try Common_ImplicitMetaPolicy(serializedBytes: meta.value).subPolicy == "Readers")
        #expect(throws: PolicyRuleError.self) { try PolicyDefinition.policy(type: "Magic", rule: "ANY Readers") }
    }

    @Test func goDurations() {
        #expect(GoDurationText.parse("250ms") == .milliseconds(250))
        #expect(GoDurationText.parse("2s") == .seconds(2))
        #expect(GoDurationText.parse("1m30s") == .seconds(90))
        #expect(GoDurationText.parse("1.5s") == .milliseconds(1500))
        #expect(GoDurationText.parse("0") == .zero)
        #expect(GoDurationText.parse("10") == nil)
        #expect(GoDurationText.parse("2 parsecs") == nil)
    }
}
