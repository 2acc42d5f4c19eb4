import Foundation

/// A role an identity holds in its MSP, as Fabric's `MSPRole` names them.
public enum PolicyRole: String, Sendable, Hashable, CaseIterable, Codable {
    case member, admin, client, peer, orderer
}

/// One signer of the data a policy is evaluated over, already verified by the caller: its MSP
/// and the roles it holds there (`member` is implied for every signer of that MSP; admin, client,
/// peer and orderer as its NodeOU or the MSP's admin list says). `identity` (the serialized
/// identity, when known) lets evaluation count one identity that signed twice once, as Fabric does.
public struct PolicySigner: Sendable, Hashable {
    public var mspID: String
    public var roles: Set<PolicyRole>
    public var identity: Data?

    public init(mspID: String, roles: Set<PolicyRole>, identity: Data? = nil) {
        self.mspID = mspID
        self.roles = roles
        self.identity = identity
    }

    /// Whether this signer satisfies the role principal `role` of `mspID`.
    public func satisfies(mspID: String, role: PolicyRole) -> Bool {
        self.mspID == mspID && (role == .member || roles.contains(role))
    }

    /// `Org1MSP.peer` style, for explanations: the most specific role held.
    public var label: String {
        let role = [PolicyRole.admin, .peer, .orderer, .client].first { roles.contains($0) } ?? .member
        return "\(mspID).\(role.rawValue)"
    }
}

/// The outcome of evaluating a policy: whether it is satisfied and, either way, why, in words
/// an error message can carry (`MAJORITY Endorsement at /Channel/Application: 1 of 2 satisfied
/// (Org1MSP), 2 needed`).
public struct PolicyEvaluation: Sendable, Hashable, CustomStringConvertible {
    public var satisfied: Bool
    public var explanation: String

    public init(satisfied: Bool, explanation: String) {
        self.satisfied = satisfied
        self.explanation = explanation
    }

    public var description: String { (satisfied ? "satisfied: " : "not satisfied: ") + explanation }
}
