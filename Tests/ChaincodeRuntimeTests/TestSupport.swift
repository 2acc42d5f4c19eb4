@testable import ChaincodeRuntime
import FabricWire
import Foundation
import SwiftProtobuf

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func version(_ block: UInt64, _ transaction: UInt64) -> Kvrwset_Version {
    .with {
        $0.blockNum = block
        $0.txNum = transaction
    }
}

func bytes(_ text: String) -> Data { Data(text.utf8) }

/// A committed state of namespace `namespace` holding `keys`, each valued "v-<key>" at version
/// (block i+1, tx 0) for the i-th key.
func committed(_ namespace: String, _ keys: [String]) -> InMemoryCommittedState {
    var state = InMemoryCommittedState()
    for (index, key) in keys.enumerated() {
        state.set(namespace: namespace, key: key, value: bytes("v-\(key)"), block: UInt64(index + 1), transaction: 0)
    }
    return state
}

extension Rwset_TxReadWriteSet {
    /// The KVRWSet of each namespace, in order.
    func decoded() throws -> [(namespace: String, set: Kvrwset_KVRWSet)] {
        try nsRwset.map { ($0.namespace, try Kvrwset_KVRWSet(serializedBytes: $0.rwset)) }
    }

    func set(_ namespace: String) throws -> Kvrwset_KVRWSet {
        guard let found = try decoded().first(where: { $0.namespace == namespace }) else {
            throw TestFailure("no read-write set for namespace \(namespace)")
        }
        return found.set
    }
}

/// A signed proposal shaped as Fabric clients make them (the contract API decodes the creator and
/// timestamp from it; the signature is not checked by the chaincode).
func signedProposal(channel: String, txID: String, chaincode: String, args: [String]) throws -> Protos_SignedProposal {
    let channelHeader = Common_ChannelHeader.with {
        $0.type = 3
        $0.channelID = channel
        $0.txID = txID
        $0.timestamp = Google_Protobuf_Timestamp(date: Date())
    }
    let creator = Msp_SerializedIdentity.with {
        $0.mspid = "Org1MSP"
        $0.idBytes = bytes("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n")
    }
    let creatorBytes: Data = try creator.serializedBytes()
    let signatureHeader = Common_SignatureHeader.with {
        $0.creator = creatorBytes
        $0.nonce = bytes("nonce-\(txID)")
    }
    let spec = Protos_ChaincodeInvocationSpec.with {
        $0.chaincodeSpec.chaincodeID.name = chaincode
        $0.chaincodeSpec.input.args = args.map(bytes)
    }
    var header = Common_Header()
    header.channelHeader = try channelHeader.serializedBytes()
    header.signatureHeader = try signatureHeader.serializedBytes()
    var payload = Protos_ChaincodeProposalPayload()
    payload.input = try spec.serializedBytes()
    var proposal = Protos_Proposal()
    proposal.header = try header.serializedBytes()
    proposal.payload = try payload.serializedBytes()
    var signed = Protos_SignedProposal()
    signed.proposalBytes = try proposal.serializedBytes()
    signed.signature = bytes("not checked by the chaincode")
    return signed
}

func input(_ args: [String]) -> Protos_ChaincodeInput {
    .with { $0.args = args.map(bytes) }
}
