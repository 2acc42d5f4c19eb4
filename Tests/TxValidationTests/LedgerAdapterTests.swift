import FabricPolicy
import FabricWire
import SwiftProtobuf
import Foundation
import Testing
@testable import Ledger
@testable import TxValidation

/// The validator as the shell will use it: blocks judged against a `ChannelLedger`, appended with
/// their effects, and what a reopened ledger reads back.
@Suite struct LedgerAdapterTests {
    /// Block `number` after `previous` holding `entries`.
    static func block(_ entries: [Data], number: UInt64, previous: Data) throws -> HashedBlock {
        var block = Common_Block()
        block.header.number = number
        block.header.previousHash = previous
        block.data.data = entries
        block.header.dataHash = BlockDataRules.dataHash(entries)
        block.metadata = BlockMetadataLayout.empty
        return try HashedBlock(block, serialized: try block.serializedBytes())
    }

    @Test func definitionsStateAndFlagsSurviveAReopen() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-txvalidation-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let asset = ChaincodeDefinition(name: "asset", version: "1.0", policy: .channelDefault)
        let organizations: Set<String> = ["Org1MSP", "Org2MSP"]

        let deploy = ChaincodeDefinitionTests.deploy(asset, nonce: "deploy")
        let create = TransactionBuilder("create", chaincode: "asset").reading("asset1", at: nil).writing("asset1", "Tom")
            .endorsed(by: .peer1, .peer2)
        let version = Version(block: 0, transaction: 1)
        let toBob = TransactionBuilder("bob", chaincode: "asset").reading("asset1", at: version).writing("asset1", "Bob")
            .endorsed(by: .peer1, .peer2)
        let toCarol = TransactionBuilder("carol", chaincode: "asset").reading("asset1", at: version).writing("asset1", "Carol")
            .endorsed(by: .peer2, .peer1)

        var definitions = DefinitionsInForce()
        do {
            let (ledger, _) = try ChannelLedger.open(directory: directory, channel: "mychannel", durability: .osBuffered)
            for (entries, expected) in [([deploy, create], [Protos_TxValidationCode.valid, .valid]),
                                        ([toBob, toCarol], [.valid, .mvccReadConflict])] {
                let candidates = entries.map { $0.candidate() }
                let context = ValidationContext(nextBlockOf: ledger, organizations: organizations, policies: TestChannel.policies,
                                                definitions: definitions)
                let validated = BlockValidator.validate(candidates, context: context)
                #expect(validated.codes == expected)
                let hashed = try Self.block(entries.map { $0.envelope() }, number: ledger.height, previous: ledger.currentHash ?? Data())
                try ledger.append(hashed, effects: validated.effects)
                definitions = validated.definitions
            }
        }
        let (ledger, report) = try ChannelLedger.open(directory: directory, channel: "mychannel")
        #expect(report.blocks == 2)
        #expect(ledger.state["asset", "asset1"] == VersionedValue(value: Data("Bob".utf8), version: Version(block: 1, transaction: 0)))
        #expect(DefinitionsInForce(state: ledger.state) == definitions)
        #expect(definitions["asset"] == asset)
        #expect(BlockMetadataLayout.transactionsFilter(of: try #require(try ledger.block(1))) == [0, 11])
        #expect(ledger.transactions[toCarol.expectedTxID]?.code == .mvccReadConflict)
    }
}

/// What fabnet's endorsers and client assemble (`UnpackedProposal`, `EndorsedTransaction`, in
/// FabricWire) is what the validator expects: the proposal hash without the transient map, the
/// proposal's header in the payload and the action, endorsements over payload ‖ endorser.
@Suite struct AssembledTransactionTests {
    @Test func anEndorsedTransactionAsFabnetAssemblesItIsValid() throws {
        let creator = TestIdentity.client1.serialized
        let nonce = Data("assembled".utf8)
        let chaincode = Protos_ChaincodeID.with { $0.name = "basic" }
        let header = try Common_Header.with {
            $0.channelHeader = try Common_ChannelHeader.with {
                $0.type = Int32(Common_HeaderType.endorserTransaction.rawValue)
                $0.channelID = "mychannel"
                $0.txID = FabricTransactionID.make(nonce: nonce, creator: creator)
                $0.extension = try Protos_ChaincodeHeaderExtension.with { $0.chaincodeID = chaincode }.serializedBytes()
            }.serializedBytes()
            $0.signatureHeader = try Common_SignatureHeader.with { $0.creator = creator; $0.nonce = nonce }.serializedBytes()
        }.serializedBytes() as Data
        let payload = try Protos_ChaincodeProposalPayload.with {
            $0.input = try Protos_ChaincodeInvocationSpec.with {
                $0.chaincodeSpec.chaincodeID = chaincode
                $0.chaincodeSpec.input.args = [Data("CreateAsset".utf8)]
            }.serializedBytes()
            $0.transientMap = ["secret": Data("not in the transaction".utf8)]
        }.serializedBytes() as Data
        let signed = try Protos_SignedProposal.with {
            $0.proposalBytes = try Protos_Proposal.with { $0.header = header; $0.payload = payload }.serializedBytes()
            $0.signature = Data([1])
        }
        let proposal = try UnpackedProposal.unpack(signed)
        let results = try Rwset_TxReadWriteSet.with {
            $0.dataModel = .kv
            $0.nsRwset = [.with { $0.namespace = "basic"; $0.rwset = try! Kvrwset_KVRWSet.with { $0.writes = [.with { $0.key = "asset1"; $0.value = Data("Tom".utf8) }] }.serializedBytes() }]
        }.serializedBytes() as Data
        let responsePayload = try EndorsedTransaction.responsePayload(
            proposal: proposal, results: results, events: Data(), response: .with { $0.status = 200 },
            chaincodeID: .with { $0.name = "basic"; $0.version = "1.0" })
        let endorsements = [TestIdentity.peer1, TestIdentity.peer2].map { peer in
            Protos_Endorsement.with { $0.endorser = peer.serialized; $0.signature = Data("signature of \(peer.name)".utf8) }
        }
        let transaction = try EndorsedTransaction.transactionPayload(proposal: proposal, responsePayload: responsePayload, endorsements: endorsements)
        let entry = try Common_Envelope.with { $0.payload = try transaction.serializedBytes(); $0.signature = Data([2]) }.serializedBytes() as Data

        var candidate = CandidateTransaction.prepare(entry)
        #expect(candidate.endorsementSignatures.map(\.signedBytes) == endorsements.map { responsePayload + $0.endorser })
        candidate.recordCreator(.verified(TestIdentity.client1.signer))
        candidate.recordEndorsement(0, .verified(TestIdentity.peer1.signer))
        candidate.recordEndorsement(1, .verified(TestIdentity.peer2.signer))
        let block = TestChannel.validate([candidate])
        #expect(block.codes == [.valid])
        #expect(block.effects[0].writes[0].set.writes.map(\.key) == ["asset1"])
    }
}
