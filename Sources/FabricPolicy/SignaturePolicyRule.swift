import FabricWire
import Foundation
import SwiftProtobuf

/// Fabric's signature-policy language (`OR('Org1MSP.member', AND('Org2MSP.peer', …))`,
/// `OutOf(2, …)`) read into a `Common_SignaturePolicyEnvelope` with the same rule tree and the
/// same identity numbering as Fabric's own parser, so the bytes match configtxgen's.
///
/// Guarantees: gates are `AND`, `OR`, `OutOf` in any of Fabric's spellings (`And`, `and`, `AND`,
/// …); principals are `'<MSP ID>.<role>'` with single or double quotes and role `member`,
/// `admin`, `client`, `peer` or `orderer`; whitespace between tokens is ignored. Like Fabric's
/// parser, every principal written gets its own entry in `identities` (written twice, listed
/// twice) and a gate's nested gates are numbered before its own principals. Anything else throws
/// a `PolicyRuleError` with the position and the fix.
public enum SignaturePolicyRule {
    public static func parse(_ rule: String) throws -> Common_SignaturePolicyEnvelope {
        var parser = Parser(rule: rule)
        let tree = try parser.expression()
        parser.skipSpaces()
        if !parser.atEnd {
            throw parser.error("unexpected '\(parser.current)' after the end of the rule", hint: "remove it, or combine the parts with OR(…) or AND(…)")
        }
        guard case .gate = tree else {
            throw PolicyRuleError(rule: rule, position: 0, problem: "a rule must be a gate, not a bare principal",
                                  hint: "wrap the principal in a gate, e.g. OR(" + rule.trimmingCharacters(in: .whitespaces) + ")")
        }
        var identities: [Common_MSPPrincipal] = []
        var envelope = Common_SignaturePolicyEnvelope()
        envelope.version = 0
        envelope.rule = number(tree, identities: &identities)
        envelope.identities = identities
        return envelope
    }

    /// A `member` principal of `mspID` and so on: the `Common_MSPPrincipal` Fabric writes.
    public static func principal(mspID: String, role: Common_MSPRole.MSPRoleType) -> Common_MSPPrincipal {
        var mspRole = Common_MSPRole()
        mspRole.mspIdentifier = mspID
        mspRole.role = role
        var principal = Common_MSPPrincipal()
        principal.principalClassification = .role
        principal.principal = (try? mspRole.serializedBytes()) ?? Data()
        return principal
    }

    /// The rule tree as written, before identities are numbered.
    indirect enum Node {
        case principal(mspID: String, role: Common_MSPRole.MSPRoleType)
        case gate(n: Int, children: [Node])
    }

    /// Numbers principals as Fabric does: a gate's nested gates first, left to right, then its
    /// own principals left to right.
    static func number(_ node: Node, identities: inout [Common_MSPPrincipal]) -> Common_SignaturePolicy {
        guard case .gate(let n, let children) = node else { return Common_SignaturePolicy() }
        var rules = [Common_SignaturePolicy?](repeating: nil, count: children.count)
        for (index, child) in children.enumerated() {
            if case .gate = child { rules[index] = number(child, identities: &identities) }
        }
        for (index, child) in children.enumerated() {
            if case .principal(let mspID, let role) = child {
                identities.append(principal(mspID: mspID, role: role))
                var signedBy = Common_SignaturePolicy()
                signedBy.signedBy = Int32(identities.count - 1)
                rules[index] = signedBy
            }
        }
        var gate = Common_SignaturePolicy()
        var outOf = Common_SignaturePolicy.NOutOf()
        outOf.n = Int32(n)
        outOf.rules = rules.compactMap { $0 }
        gate.nOutOf = outOf
        return gate
    }

    static let roles: [String: Common_MSPRole.MSPRoleType] = [
        "member": .member, "admin": .admin, "client": .client, "peer": .peer, "orderer": .orderer,
    ]

    struct Parser {
        let rule: String
        let characters: [Character]
        var index = 0

        init(rule: String) {
            self.rule = rule
            characters = Array(rule)
        }

        var atEnd: Bool { index >= characters.count }
        var current: Character { characters[index] }

        func error(_ problem: String, hint: String, at position: Int? = nil) -> PolicyRuleError {
            PolicyRuleError(rule: rule, position: position ?? index, problem: problem, hint: hint)
        }

        mutating func skipSpaces() {
            while !atEnd, current.isWhitespace { index += 1 }
        }

        mutating func expression() throws -> Node {
            skipSpaces()
            guard !atEnd else {
                throw error("the rule ends where a gate or principal should be", hint: "write e.g. OR('Org1MSP.member')")
            }
            if current == "'" || current == "\"" { return try principal() }
            if current.isLetter { return try gate() }
            throw error("unexpected '\(current)'", hint: "expected a gate (AND, OR, OutOf) or a quoted principal such as 'Org1MSP.peer'")
        }

        mutating func gate() throws -> Node {
            let start = index
            var name = ""
            while !atEnd, current.isLetter || current.isNumber || current == "_" {
                name.append(current)
                index += 1
            }
            let kind: String
            switch name {
            case "AND", "And", "and": kind = "AND"
            case "OR", "Or", "or": kind = "OR"
            case "OutOf", "outof", "OUTOF": kind = "OutOf"
            default:
                throw error("unknown gate '\(name)'", hint: "use AND(…), OR(…) or OutOf(n, …); principals are quoted, e.g. 'Org1MSP.member'", at: start)
            }
            skipSpaces()
            guard !atEnd, current == "(" else {
                throw error("expected '(' after \(name)", hint: "write \(name)(…)")
            }
            index += 1
            var threshold: Int?
            if kind == "OutOf" {
                skipSpaces()
                let numberStart = index
                var digits = ""
                if !atEnd, current == "-" { digits.append(current); index += 1 }
                while !atEnd, current.isNumber || current == "." { digits.append(current); index += 1 }
                guard let value = Int(digits) else {
                    throw error("OutOf needs a whole number first", hint: "write OutOf(2, 'Org1MSP.peer', 'Org2MSP.peer')", at: numberStart)
                }
                threshold = value
                try expectComma(after: "the number of OutOf")
            }
            var children: [Node] = []
            while true {
                children.append(try expression())
                skipSpaces()
                guard !atEnd else {
                    throw error("\(name)( is not closed", hint: "add ')'")
                }
                if current == ")" { index += 1; break }
                if current == "," { index += 1; continue }
                throw error("unexpected '\(current)' in \(name)(…)", hint: "separate the parts with ',' and close with ')'")
            }
            let n: Int
            switch kind {
            case "AND": n = children.count
            case "OR": n = 1
            default:
                n = threshold ?? 0
                // Fabric accepts up to one more than the parts (a rule nobody can satisfy) and no negative.
                guard n >= 0, n <= children.count + 1 else {
                    throw error("OutOf(\(n), …) has \(children.count) part\(children.count == 1 ? "" : "s")",
                                hint: "the number must be from 0 to the number of parts", at: start)
                }
            }
            return .gate(n: n, children: children)
        }

        mutating func expectComma(after what: String) throws {
            skipSpaces()
            guard !atEnd, current == "," else {
                throw error("expected ',' after \(what)", hint: "separate the parts with ','")
            }
            index += 1
        }

        mutating func principal() throws -> Node {
            let start = index
            let quote = current
            index += 1
            var text = ""
            while !atEnd, current != quote {
                text.append(current)
                index += 1
            }
            guard !atEnd else {
                throw error("the principal starting here has no closing \(quote)", hint: "close it: \(quote)\(text)\(quote)", at: start)
            }
            index += 1
            guard let dot = text.lastIndex(of: "."), dot != text.startIndex else {
                throw error("'\(text)' is not <MSP ID>.<role>", hint: "write e.g. 'Org1MSP.member'", at: start)
            }
            let mspID = String(text[..<dot])
            let roleName = String(text[text.index(after: dot)...])
            guard let role = SignaturePolicyRule.roles[roleName] else {
                throw error("unknown role '\(roleName)' in '\(text)'", hint: "use member, admin, client, peer or orderer", at: start)
            }
            guard mspID.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }), mspID.allSatisfy(\.isASCII) else {
                throw error("MSP ID '\(mspID)' has characters Fabric does not allow there", hint: "use letters, digits, '.' and '-'", at: start)
            }
            return .principal(mspID: mspID, role: role)
        }
    }
}
