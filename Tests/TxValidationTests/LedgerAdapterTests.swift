import FabricPolicy
import FabricWire
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
