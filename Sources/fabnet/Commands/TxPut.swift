import ArgumentParser
import FabnetWire
import FabnetClient
import FabricWire
import Foundation
import OrdererNode

/// `fabnet tx put`: one signed write, optionally waiting for its block.
struct TxPut: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Submit a signed transaction that writes KEY = VALUE; print its id (and with --wait, its block).",
        discussion: "Acts as the first application org's User1 unless --as says otherwise. SUCCESS from the orderer means the transaction is on its disk and will be ordered."
    )

    @Argument var key: String
    @Argument var value: String

    @Option(help: "The channel.")
    var channel: String

    @Flag(help: "Wait until the transaction is in a block and print the block number.")
    var wait = false

    @Option(help: "With --wait, give up after this many seconds.")
    var timeout: Double = 30

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await Console.reportingErrors {
            let (orderer, _, _) = try client.client(fallback: ClientOptions.firstApplicationClient)
            let before = try await orderer.blocks(channel: channel, start: .last, stop: .last)
            guard before.status == .success, let newest = before.blocks.last?.header.number else {
                throw ValidationError("cannot read channel \(channel): \(before.info)")
            }
            let (envelope, txID) = try TransactionBuilder.make(channel: channel, writes: [(key, Data(value.utf8))], creator: orderer.signer)
            guard let response = try await orderer.broadcast([envelope]).first else {
                throw ValidationError("the orderer closed the connection without answering")
            }
            guard response.status == .success else {
                throw ValidationError("the orderer refused the transaction: \(response.info) (\(response.status))")
            }
            print(txID)
            guard wait else { return }
            let seconds = timeout
            let found = try await withThrowingTaskGroup(of: UInt64?.self) { group in
                group.addTask {
                    let result = try await orderer.blocks(channel: channel, start: .number(newest), stop: .number(.max), failIfNotReady: false) { block in
                        !OrdererChannelIDs.contains(txID, in: block)
                    }
                    return result.blocks.last { OrdererChannelIDs.contains(txID, in: $0) }?.header.number
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(seconds))
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            guard let found else { throw ValidationError("transaction \(txID) was not in a block within \(timeout)s") }
            print("block \(found)")
        }
    }
}

/// Finds transaction ids in blocks.
enum OrdererChannelIDs {
    static func contains(_ txID: String, in block: Common_Block) -> Bool {
        block.transactionIDs.contains(txID)
    }
}
