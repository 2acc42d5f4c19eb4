import FabricWire
import Foundation

/// Writes a signature policy back in Fabric's policy language (`OR('Org1MSP.peer', …)`; a gate
/// needing all parts as `AND`, one part as `OR`, else `OutOf(n, …)`), for messages. Principals
/// that are not MSP roles are written as `<kind principal>`.
public enum SignaturePolicyText {
    public static func text(of envelope: Common_SignaturePolicyEnvelope) -> String {
        text(of: envelope.rule, identities: envelope.identities)
    }

    static func text(of rule: Common_SignaturePolicy, identities: [Common_MSPPrincipal]) -> String {
        switch rule.type {
        case .signedBy(let index):
            guard index >= 0, Int(index) < identities.count else { return "<identity \(index) out of range>" }
            return "'\(principalText(identities[Int(index)]))'"
        case .nOutOf(let gate):
            let parts = gate.rules.map { text(of: $0, identities: identities) }.joined(separator: ", ")
            if gate.n == 1, gate.rules.count > 0 { return "OR(\(parts))" }
            if Int(gate.n) == gate.rules.count { return "AND(\(parts))" }
            return "OutOf(\(gate.n), \(parts))"
        case nil:
            return "<empty rule>"
        }
    }

    static func principalText(_ principal: Common_MSPPrincipal) -> String {
        guard principal.principalClassification == .role, let role = try? Common_MSPRole(serializedBytes: principal.principal) else {
            return "<\(principal.principalClassification) principal>"
        }
        return "\(role.mspIdentifier).\(roleName(role.role))"
    }

    static func roleName(_ role: Common_MSPRole.MSPRoleType) -> String {
        switch role {
        case .member: "member"
        case .admin: "admin"
        case .client: "client"
        case .peer: "peer"
        case .orderer: "orderer"
        case .UNRECOGNIZED(let value): "role\(value)"
        }
    }
}
