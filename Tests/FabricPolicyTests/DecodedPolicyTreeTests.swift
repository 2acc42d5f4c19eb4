@testable import FabricPolicy
import FabricWire
import Foundation
import Testing

/// The decoded fast path answers exactly as the full evaluation, for every policy of a two-org
/// channel and every set of up to three signers drawn from its roles (plus a duplicate and a
/// policy that does not decode).
@Suite struct DecodedPolicyTreeTests {
    static let signers: [PolicySigner] = [
        PolicySigner(mspID: "Org1MSP", roles: [.member, .client], identity: Data("c1".utf8)),
        PolicySigner(mspID: "Org1MSP", roles: [.member, .peer], identity: Data("p1".utf8)),
        PolicySigner(mspID: "Org1MSP", roles: [.member, .admin], identity: Data("a1".utf8)),
        PolicySigner(mspID: "Org2MSP", roles: [.member, .peer], identity: Data("p2".utf8)),
        PolicySigner(mspID: "Org2MSP", roles: [.member, .peer], identity: Data("p2".utf8)),
        PolicySigner(mspID: "OrdererMSP", roles: [.member, .orderer], identity: Data("o".utf8)),
    ]

    static func paths(in group: ConfigPolicyGroup, prefix: [String] = []) -> [[String]] {
        group.policies.keys.map { prefix + [$0] } + group.groups.flatMap { paths(in: $1, prefix: prefix + [$0]) }
    }

    @Test func theFastAnswerIsTheFullEvaluationsAnswer() {
        var tree = PolicyEvaluatorTests.tree
        tree.groups["Application"]!.policies["Broken"] = Common_Policy.with { $0.type = 1; $0.value = Data([0xFF, 0xFF]) }
        tree.groups["Application"]!.policies["Both"] = PolicyEvaluatorTests.policy("Signature", "AND('Org1MSP.peer', 'Org2MSP.peer')")
        tree.groups["Application"]!.policies["TwoOfOrg2"] = PolicyEvaluatorTests.policy("Signature", "OutOf(2, 'Org2MSP.peer', 'Org2MSP.member')")
        let evaluator = PolicyEvaluator(root: tree)
        let decoded = DecodedPolicyTree(tree)
        var combinations: [[PolicySigner]] = [[]]
        for a in Self.signers {
            combinations.append([a])
            for b in Self.signers {
                combinations.append([a, b])
                for c in Self.signers { combinations.append([a, b, c]) }
            }
        }
        var checked = 0
        for path in Self.paths(in: tree) {
            let name = path.last!
            let groupPath = Array(path.dropLast())
            let full = tree.group(at: groupPath)!
            let fast = decoded.group(at: groupPath)!
            for signers in combinations {
                let unique = PolicyEvaluator.deduplicated(signers)
                let expected = evaluator.evaluate(full.policies[name]!, named: name, in: full,
                                                  groupPath: (["/Channel"] + groupPath).joined(separator: "/"), signers: unique).satisfied
                #expect(fast.isSatisfied(fast.policies[name]!, signers: unique) == expected, "\(path) \(signers.map(\.label))")
                #expect(evaluator.evaluate("/" + (["Channel"] + path).joined(separator: "/"), signers: signers).satisfied == expected)
                checked += 1
            }
        }
        #expect(checked > 1000)
    }
}
