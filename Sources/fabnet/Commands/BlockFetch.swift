import ArgumentParser
import FabnetWire
import FabnetClient
import Foundation
import SwiftProtobuf

/// `fabnet block fetch`: one block from the orderer.
struct BlockFetch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch block oldest, newest or N of a channel from the orderer and describe it (or print it as JSON).",
        discussion: "Acts as the first application org's User1 unless --as says otherwise."
    )

    @Argument(help: "oldest, newest, or a block number.")
    var which: String

    @Option(help: "The channel.")
    var channel: String

    @Flag(help: "Print the whole block as JSON (protobuf JSON mapping).")
    var json = false

    @OptionGroup var client: ClientOptions

    func validate() throws {
        guard ["oldest", "newest"].contains(which) || UInt64(which) != nil else {
            throw ValidationError("which block: oldest, newest or a number, got \(which)")
        }
    }

    func run() async throws {
        try await Console.reportingErrors {
            let (orderer, _, _) = try client.client(fallback: ClientOptions.firstApplicationClient)
            let position: WireSeekPosition = which == "oldest" ? .first : which == "newest" ? .last : .number(UInt64(which)!)
            let result = try await orderer.blocks(channel: channel, start: position, stop: position)
            guard result.status == .success, let block = result.blocks.first else {
                throw ValidationError("no block: \(result.info) (\(result.status))")
            }
            if json {
                var options = JSONEncodingOptions()
                options.preserveProtoFieldNames = true
                print(try block.jsonString(options: options))
                return
            }
            let cut = block.metadata.cutTime.date
            print("""
                block \(block.header.number) of \(channel)
                  transactions   \(block.data.transactions.count)
                  data hash      \(block.header.dataHash.hex)
                  previous hash  \(block.header.previousHash.hex)
                  cut at         \(ISO8601DateFormatter().string(from: cut))
                  signed by      \(block.metadata.signatures.map(\.signer.mspID).joined(separator: ", "))
                """)
        }
    }
}

extension Data {
    var hex: String { isEmpty ? "(none)" : map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }
}
