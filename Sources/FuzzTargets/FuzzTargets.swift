import FabnetClient
import FabnetConfig
import FabnetWire
import FabricPolicy
import FabricWire
import Foundation
import Ledger
import NIOCore
import PeerNode
import TxValidation

/// The code that reads bytes from outside, each as a plain entry point that takes one input: what
/// `make fuzz` runs under libFuzzer (the `FabnetFuzz` executable) and what `swift test` replays
/// the corpus through (inputs that once found a bug, kept in `Fuzz/corpus/<target>/`).
///
/// Guarantees: an entry point returns for every input unless the code under it has a bug (a trap,
/// a hang, unbounded memory); errors the code reports are the expected outcome, not failures.
/// Each returns whether the input got past the outermost decoding (so a test can tell a target
/// that reads a valid input from one that gives up at once).
public enum FuzzTargets {
    /// Every target by name, as `make fuzz TARGETS=…` and the corpus folders name them.
    public static let all: [(name: String, run: @Sendable ([UInt8]) async -> Bool)] = [
        ("frame-decoder", frameDecoder),
        ("gossip-codec", gossipCodec),
        ("transaction-views", transactionViews),
        ("config-block", configBlock),
        ("validation", validation),
        ("config-loader", configLoader),
        ("block-file", blockFile),
    ]

    public static func named(_ name: String) -> (@Sendable ([UInt8]) async -> Bool)? { all.first { $0.name == name }?.run }

    /// The framing every connection uses: frames cut from the bytes, each decoded as a Packet.
    public static func frameDecoder(_ bytes: [UInt8]) async -> Bool {
        var buffer = ByteBuffer(bytes: bytes)
        let decoder = FrameDecoder(maximumFrameSize: 1 << 16)
        var packets = 0
        while true {
            guard let frame = try? decoder.decode(buffer: &buffer) else { return packets > 0 }
            if (try? WirePacket(serializedBytes: Array(frame.readableBytesView))) != nil { packets += 1 }
        }
    }

    /// A gossip message as a peer decodes it (signature checks aside, see `GossipDecodingProbe`).
    public static func gossipCodec(_ bytes: [UInt8]) async -> Bool {
        await GossipDecodingProbe.decode(bytes)
    }

    /// A block entry opened the way the orderer and the committer open it: envelope, headers,
    /// endorsed action, read-write sets.
    public static func transactionViews(_ bytes: [UInt8]) async -> Bool {
        let data = Data(bytes)
        _ = CandidateTransaction.prepare(data)
        guard let view = try? EnvelopeView.open(data) else { return false }
        try? view.checkHeader(channel: "mychannel")
        _ = try? EndorsedAction.open(view)
        _ = try? EndorserTransaction.rwset(of: view)
        _ = try? EndorserTransaction.chaincodeAction(of: view)
        return true
    }

    /// Block 0 read back into the channel's configuration, as a peer joining a channel reads it.
    public static func configBlock(_ bytes: [UInt8]) async -> Bool {
        guard let block = try? Common_Block(serializedBytes: bytes) else { return false }
        return ChannelGenesis.configuration(in: block) != nil
    }

    /// A block's entries judged by the committer against an empty channel of two orgs.
    public static func validation(_ bytes: [UInt8]) async -> Bool {
        guard let block = try? Common_Block(serializedBytes: bytes) else { return false }
        let context = ValidationContext(channel: "mychannel", blockNumber: 1, organizations: ["Org1MSP", "Org2MSP"],
                                        policies: PolicyEvaluator(root: ConfigPolicyGroup()), definitions: DefinitionsInForce(),
                                        state: WorldState(), transactions: TransactionIndex())
        _ = BlockValidator.validate(block.data.data.prefix(64).map(CandidateTransaction.prepare), context: context)
        return true
    }

    /// A description file (configtx.yaml or fabnet's own keys) as `fabnet up -f` loads it.
    public static func configLoader(_ bytes: [UInt8]) async -> Bool {
        (try? NetworkLoader.load(text: String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml", directory: scratch)) != nil
    }

    /// A ledger's block file as a node reads it at start: intact records, a torn tail cut off,
    /// damage refused.
    public static func blockFile(_ bytes: [UInt8]) async -> Bool {
        let path = scratch.appendingPathComponent("blocks-\(getpid()).fabric").path
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return false }
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let file = try? BlockFile(path: path, durability: .osBuffered) else { return false }
        return ((try? file.readAll())?.count ?? 0) > 0
    }

    /// A folder of this process's own for the targets that need files (made again if removed).
    static var scratch: URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Removes the scratch folder (a test or a fuzz run that is done with the targets).
    public static func removeScratch() { try? FileManager.default.removeItem(at: scratch) }
}
