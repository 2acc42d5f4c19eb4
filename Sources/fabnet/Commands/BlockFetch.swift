import FabnetModel
import ArgumentParser
import FabnetWire
import FabnetClient
import FabricWire
import Foundation
import SwiftProtobuf

/// `fabnet block fetch`: one block from the orderer.
struct BlockFetch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch block oldest, newest or N of a channel from the orderer and describe it (or print it as JSON).",
        discussion: """
        Acts as the first application org's User1 unless --as says otherwise.

        Examples:
          fabnet block fetch newest -c mychannel
          fabnet block fetch oldest -c mychannel --json > genesis.json
          fabnet block fetch 3 -c mychannel --as Org2MSP/User1
        """
    )

    @Argument(help: "oldest, newest, or a block number.")
    var which: String

    @Option(name: [.customShort("c"), .customLong("channel")], help: "The channel.")
    var channel: String

    @Flag(help: "Print the whole block as proto3 JSON with its nested messages decoded (transactions, creators, read-write sets, a config block's tree), as configtxlator proto_decode shows it.")
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
                print(DecodedJSON.render(DecodedJSON.block(block)))
                return
            }
            let cut = BlockMetadataLayout.cutTime(of: block).map { ISO8601DateFormatter().string(from: $0) } ?? "(not recorded)"
            let signers = (BlockMetadataLayout.signatures(of: block)?.signatures ?? []).compactMap { signature in
                (try? Common_SignatureHeader(serializedBytes: signature.signatureHeader))
                    .flatMap { try? Msp_SerializedIdentity(serializedBytes: $0.creator) }?.mspid
            }
            print("""
                block \(block.header.number) of \(channel)
                  transactions   \(block.data.data.count)
                  data hash      \(block.header.dataHash.hex)
                  previous hash  \(block.header.previousHash.hex)
                  header hash    \(BlockHeaderBytes.hash(block.header).hex)
                  cut at         \(cut)
                  signed by      \(signers.joined(separator: ", "))
                """)
        }
    }
}

extension Data {
    var hex: String { isEmpty ? "(none)" : lowerHex }
}
