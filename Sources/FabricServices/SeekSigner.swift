import FabnetCrypto
import FabnetModel
import FabricWire

extension ValidatedIdentityCache {
    /// The signer of a Deliver seek envelope, or the rejection Fabric's deliver service answers:
    /// BAD_REQUEST when the creator does not decode, FORBIDDEN when the signature does not verify.
    public func verifySeekForDeliver(_ seek: Common_Envelope) async throws(DeliverRejection) -> VerifiedSigner {
        do {
            return try await verifySeek(seek)
        } catch .undecodable {
            throw DeliverRejection(.badRequest, SeekSignatureProblem.undecodable.description)
        } catch {
            throw DeliverRejection(.forbidden, error.description)
        }
    }
}
