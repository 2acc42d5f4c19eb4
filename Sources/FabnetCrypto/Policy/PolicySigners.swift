import FabnetModel
import FabricPolicy
import Foundation

extension PolicySigner {
    /// The signer a policy evaluation sees for an identity whose signature was verified: a
    /// member of its org, and the role its NodeOU gives it (an org without NodeOUs gives only
    /// member). `identity` (default: its PKI-ID) tells the same signer listed twice apart from two
    /// signers.
    public init(_ signer: VerifiedSigner, identity: Data? = nil) {
        var roles: Set<PolicyRole> = [.member]
        switch signer.role {
        case .admin: roles.insert(.admin)
        case .client: roles.insert(.client)
        case .peer: roles.insert(.peer)
        case .orderer: roles.insert(.orderer)
        case .member: break
        }
        self.init(mspID: signer.mspID, roles: roles, identity: identity ?? Data(signer.pkiID.bytes))
    }
}
