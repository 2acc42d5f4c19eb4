import FabnetWire
import FabricWire
import Foundation

extension MultiplexedLink {
    /// Asks the peer at the other end to endorse `proposal` once its ledger holds
    /// `minimumHeight` blocks (see `OrdererClient.endorse(_:minimumHeight:)`).
    public func endorse(_ proposal: Protos_SignedProposal, minimumHeight: UInt64 = 0) async throws -> Protos_ProposalResponse {
        guard case .endorseResponse(let bytes)? = try await self.request(try .endorse(proposal, minimumHeight: minimumHeight)).body else {
            throw ClientError.closedEarly("the peer answered the endorsement request with something else")
        }
        return try Protos_ProposalResponse(serializedBytes: bytes)
    }

    /// Offers `envelope` to the orderer at the other end; its answer.
    public func broadcast(_ envelope: WireEnvelope) async throws -> WireBroadcastResponse {
        var packet = WirePacket()
        packet.broadcast = envelope
        guard case .broadcastResponse(let response)? = try await request(packet).body else {
            throw ClientError.closedEarly("the orderer answered the broadcast with something else")
        }
        return response
    }
}

extension WirePacket {
    /// A request to endorse `proposal` once the peer's ledger holds `minimumHeight` blocks.
    public static func endorse(_ proposal: Protos_SignedProposal, minimumHeight: UInt64) throws -> WirePacket {
        var request = WireEndorseRequest()
        request.signedProposal = try proposal.serializedBytes()
        request.minimumHeight = minimumHeight
        var packet = WirePacket()
        packet.endorse = request
        return packet
    }
}
