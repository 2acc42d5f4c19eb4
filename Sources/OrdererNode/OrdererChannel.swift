import FabnetConfig
import FabnetClient
import FabnetCrypto
import FabnetModel
import FabnetWire
import FabricPolicy
import FabricWire
import Foundation
import SwiftProtobuf
import Ledger
import Logging
import OperationsEndpoint

/// One channel of the ordering service: admits signed transactions, cuts them into signed
/// blocks and serves those blocks.
///
/// Guarantees:
/// - A transaction is answered SUCCESS only once it is in the pending log on disk (fsync), so it
///   reaches a block even if the process dies right after answering; after a crash the pending
///   log is replayed from the first record the ledger's last blocks do not already hold.
/// - Admission, as Fabric's orderer admits an envelope: it decodes down to its headers (else
///   BAD_REQUEST), is an ENDORSER_TRANSACTION for this channel (else BAD_REQUEST), is at most
///   AbsoluteMaxBytes (else REQUEST_ENTITY_TOO_LARGE), its creator's signature over the payload
///   verifies (else FORBIDDEN) and the creator satisfies the channel's `/Channel/Writers` policy
///   from block 0 (else FORBIDDEN, saying why). As in Fabric, the orderer does not
///   judge tx ids or duplicates: peers flag those (BAD_PROPOSAL_TXID, DUPLICATE_TXID).
/// - Every block is a Fabric block (ASN.1 header hash chain, concatenated data hash over
///   canonical envelopes), signed by this orderer in its SIGNATURES metadata with the cut time
///   in the signed consenter metadata, and on disk before it is delivered.
/// - Signatures and certificates are checked outside the actor (concurrently, one creator
///   certificate chain validated once); only the duplicate check, the pending log and the
///   cutter run on it.
public actor OrdererChannel {
    public nonisolated let name: String
    public nonisolated let config: WireChannelConfig
    /// The channel's policies from block 0 (`/Channel/Writers` admits, `/Channel/Readers` reads).
    public nonisolated let policies: PolicyEvaluator
    private let ledger: ChannelLedger
    private let pendingLog: BlockFile
    private let signer: SigningIdentity
    private nonisolated let validator: MembershipValidator
    /// Creators already validated (clients submit thousands of transactions with one identity).
    nonisolated let identities: ValidatedIdentityCache
    private var cutter: BlockCutter<Data>
    /// Records in the pending log, including ones already in blocks (compacted away regularly).
    private var pendingLogRecords = 0
    /// Set when storing a block failed: the channel stops admitting until the process restarts
    /// (the pending log still holds everything acknowledged, so the restart recovers it).
    private var storageFailure: String?
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter: UInt64 = 0
    private let logger: Logger
    /// The service's timers (the batch timeout runs as a child task of the orderer's `run()`).
    private let timers: ChildTasks

    /// Opens (or creates from `genesis`) the channel's ledger under `directory` and replays its
    /// pending log.
    public init(directory: URL, genesis: Common_Block?, signer: SigningIdentity, durability: LedgerDurability = .fsyncEachAppend,
                timers: ChildTasks, logger: Logger = Logger(label: "orderer", factory: { _ in SwiftLogNoOpLogHandler() })) async throws {
        let (ledger, report) = try ChannelLedger.open(directory: directory, channel: directory.lastPathComponent, durability: durability)
        if report.truncatedBytes > 0 { logger.warning("ledger \(directory.lastPathComponent): cut a torn last record of \(report.truncatedBytes) bytes") }
        if ledger.height == 0 {
            guard var genesis else { throw OrdererError.unknownChannel(directory.lastPathComponent) }
            try BlockSignatures.sign(&genesis, consenterMetadata: try Self.cutTime(Date()), by: signer)
            try ledger.append(genesis)
        }
        guard let first = try ledger.block(0), let view = ChannelGenesis.view(in: first) else {
            throw OrdererError.badGenesis("block 0 of \(directory.lastPathComponent) carries no channel configuration")
        }
        let config = ChannelGenesis.settings(of: view)
        self.name = config.channelID
        self.config = config
        self.policies = PolicyEvaluator(view: view)
        self.ledger = ledger
        self.signer = signer
        self.logger = logger
        self.timers = timers
        self.validator = MembershipValidator(organizations: try (config.applicationOrgs + config.ordererOrgs).map {
            try OrganizationRoots(mspID: $0.mspID, rootCertificatesPEM: $0.rootCerts.map { String(decoding: $0, as: UTF8.self) }, nodeOUs: $0.nodeOus)
        })
        identities = ValidatedIdentityCache(validator: validator)
        try Self.validate(config)
        cutter = BlockCutter(limits: .init(
            maxMessageCount: Int(config.batch.maxMessageCount), preferredMaxBytes: Int(clamping: config.batch.preferredMaxBytes),
            batchTimeout: .nanoseconds(config.batch.batchTimeoutNanos)))
        pendingLog = try BlockFile(path: directory.appendingPathComponent("pending.log").path, durability: durability)
        try await replayPendingLog()
    }

    public var height: UInt64 { ledger.height }

    /// Refuses a configuration the channel could not run with.
    public static func validate(_ config: WireChannelConfig) throws {
        let batch = config.batch
        guard ChannelName.isValid(config.channelID) else { throw OrdererError.badGenesis("'\(config.channelID)' is not a valid channel name") }
        guard batch.maxMessageCount >= 1 else { throw OrdererError.badGenesis("MaxMessageCount must be at least 1") }
        guard batch.batchTimeoutNanos > 0 else { throw OrdererError.badGenesis("BatchTimeout must be positive") }
        guard batch.absoluteMaxBytes > 0, batch.absoluteMaxBytes <= UInt64(Int32.max),
              batch.preferredMaxBytes > 0, batch.preferredMaxBytes <= batch.absoluteMaxBytes else {
            throw OrdererError.badGenesis("sizes must satisfy 0 < PreferredMaxBytes ≤ AbsoluteMaxBytes ≤ 2 GB")
        }
        guard !config.applicationOrgs.isEmpty, !config.ordererOrgs.isEmpty else {
            throw OrdererError.badGenesis("a channel needs application and orderer organizations")
        }
    }

    // MARK: broadcast

    /// Admits one signed transaction; SUCCESS means durable. The checks that need no channel
    /// state run here, off the actor; `admit` does the rest on it.
    public nonisolated func broadcast(_ envelope: WireEnvelope) async -> WireBroadcastResponse {
        // fabnet's frame envelope has Fabric's field numbers: the entry is Fabric's canonical encoding.
        var fabric = Common_Envelope()
        fabric.payload = envelope.payload
        fabric.signature = envelope.signature
        let view: EnvelopeView
        do {
            view = try EnvelopeView.open(fabric)
        } catch {
            return .init(.badRequest, "bad envelope: \(error.reason)")
        }
        return await broadcast(fabric, view: view)
    }

    /// The same for an envelope its caller already opened (the service opens each once, to
    /// find its channel).
    nonisolated func broadcast(_ fabric: Common_Envelope, view: EnvelopeView) async -> WireBroadcastResponse {
        guard let bytes = try? fabric.serializedBytes() as Data else { return .init(.badRequest, "the envelope does not encode") }
        guard bytes.count <= Int(config.batch.absoluteMaxBytes) else {
            return .init(.requestEntityTooLarge, "transaction of \(bytes.count) bytes exceeds AbsoluteMaxBytes (\(config.batch.absoluteMaxBytes))")
        }
        guard fabric.signature.count > 0 else { return .init(.badRequest, "the envelope has no signature") }
        guard view.headerType == .endorserTransaction else {
            return .init(.badRequest, "header type \(view.channelHeader.type) is not accepted by broadcast (only ENDORSER_TRANSACTION; channel configuration is made by `fabnet channel create`)")
        }
        guard view.channelID == name else { return .init(.badRequest, "transaction is for channel \(view.channelID), not \(name)") }
        let signer: VerifiedSigner
        do {
            signer = try await identities.verifyCreator(of: fabric, creator: view.creator)
        } catch let error as IdentityError {
            return .init(.forbidden, "implicit policy evaluation failed: the creator's signature is not valid: \(error)")
        } catch {
            return .init(.badRequest, "\(error)")
        }
        let writers = policies.evaluate("/Channel/Writers", signers: [PolicySigner(signer)])
        guard writers.satisfied else {
            return .init(.forbidden, "\(signer.mspID) \(signer.role.rawValue) is not a writer of \(name): \(writers.explanation)")
        }
        return await admit(view.txID, bytes: bytes)
    }

    /// The stateful part of admission: on disk, handed to the cutter.
    private func admit(_ txID: String, bytes: Data) -> WireBroadcastResponse {
        if let storageFailure { return .init(.serviceUnavailable, "channel \(name) stopped after a storage error (\(storageFailure)); restart the orderer") }
        do {
            try pendingLog.append(Array(bytes))
        } catch {
            logger.error("channel \(name): cannot store a transaction: \(error)")
            return .init(.internalServerError, "cannot store the transaction: \(error)", txID: txID)
        }
        pendingLogRecords += 1
        // Acknowledged from here on: it is on disk. Cutting failures stop the channel, not this answer.
        perform(cutter.ordered(bytes, size: bytes.count, now: .now))
        return .init(.success, "", txID: txID)
    }

    /// Carries out the cutter's effects: cuts become blocks, timers are scheduled. Afterwards the
    /// pending log is compacted. A block that cannot be stored stops the channel (see `storageFailure`).
    private func perform(_ effects: [BlockCutter<Data>.Effect]) {
        for effect in effects {
            switch effect {
            case .cut(let transactions):
                guard storageFailure == nil else { continue }
                do {
                    try commit(transactions)
                } catch {
                    storageFailure = "\(error)"
                    logger.error("channel \(name): cannot store block \(ledger.height): \(error); the channel stops admitting transactions, restart to recover from the pending log")
                }
            case let .startTimer(instant, generation):
                timers.schedule(at: instant) { [weak self] in await self?.timerExpired(generation: generation) }
            }
        }
        compactPendingLog()
    }

    private func timerExpired(generation: Int) {
        perform(cutter.timerExpired(generation: generation))
    }

    /// Keeps the pending log to what is not yet in a block: emptied when nothing is pending,
    /// rewritten (atomically) once it holds a block's worth of records already ordered.
    private func compactPendingLog() {
        guard storageFailure == nil else { return }
        do {
            if cutter.pendingCount == 0 {
                if pendingLogRecords > 0 { try pendingLog.truncate(to: 0) }
                pendingLogRecords = 0
            } else if pendingLogRecords >= cutter.pendingCount + Int(config.batch.maxMessageCount) {
                try pendingLog.replaceAll(with: cutter.pendingTransactions.map { Array($0) })
                pendingLogRecords = cutter.pendingCount
            }
        } catch {
            // Not fatal: the log only grows; replay skips what is already in blocks.
            logger.warning("channel \(name): cannot compact the pending log: \(error)")
        }
    }

    /// Makes, signs and appends the next block; then drops what it holds from the pending log.
    private func commit(_ transactions: [Data]) throws {
        var block = Common_Block()
        block.header.number = ledger.height
        block.header.previousHash = ledger.currentHash ?? Data()
        block.data.data = transactions
        block.header.dataHash = BlockDataRules.dataHash(transactions)
        block.metadata = BlockMetadataLayout.empty
        try BlockSignatures.sign(&block, consenterMetadata: try Self.cutTime(Date()), by: signer)
        try ledger.append(block)
        let resumed = waiters.values
        waiters = [:]
        for waiter in resumed { waiter.resume() }
    }

    /// fabnet's consenter metadata: the cut time, which benchmarks measure from.
    static func cutTime(_ date: Date) throws -> Data {
        try Google_Protobuf_Timestamp(date: date).serializedBytes()
    }

    /// Re-admits what the pending log holds and the ledger does not (after a crash).
    ///
    /// The log holds, in admission order, records already cut into the last blocks (compaction
    /// keeps only a tail) followed by the ones not cut yet, and blocks take records in that same
    /// order. So the records already in blocks are the longest prefix of the log that equals the
    /// end of the ledger's transaction sequence; replay starts after it. (An envelope sent twice
    /// byte for byte may be taken for its ordered copy and dropped: peers would have flagged it
    /// DUPLICATE_TXID anyway.)
    private func replayPendingLog() async throws {
        // Cut as the original run would have; the log is compacted only at the end, so until every
        // replayed transaction is in a block or rewritten into the log, the log still holds it.
        let records = try pendingLog.readAll().map { Data($0) }
        pendingLogRecords = records.count
        let ordered = try orderedPrefixLength(of: records)
        var effects: [BlockCutter<Data>.Effect] = []
        for bytes in records.dropFirst(ordered) {
            effects += cutter.ordered(bytes, size: bytes.count, now: .now)
        }
        let replayed = records.count - ordered
        if replayed > 0 { logger.info("channel \(name): replayed \(replayed) acknowledged transaction(s) from the pending log") }
        perform(effects)
        if let storageFailure { throw OrdererError.badGenesis("channel \(name) cannot store blocks: \(storageFailure)") }
    }

    /// How many of `records` (from the start) the ledger's last blocks already hold.
    private func orderedPrefixLength(of records: [Data]) throws -> Int {
        guard !records.isEmpty, ledger.height > 1 else { return 0 }
        var tail: [Data] = []
        var number = ledger.height - 1
        while tail.count < records.count, number >= 1, let block = try ledger.block(number) {
            tail.insert(contentsOf: block.data.data, at: 0)
            number -= 1
        }
        for length in stride(from: min(records.count, tail.count), to: 0, by: -1)
        where Array(tail.suffix(length)) == Array(records.prefix(length)) {
            return length
        }
        return 0
    }

    // MARK: deliver

    /// Whether `signer` may read this channel (`/Channel/Readers` of block 0).
    public nonisolated func mayRead(_ signer: VerifiedSigner) -> Bool {
        policies.evaluate("/Channel/Readers", signers: [PolicySigner(signer)]).satisfied
    }

    /// The validator for identities of this channel's orgs.
    public nonisolated var membershipValidator: MembershipValidator { validator }

    public func block(_ number: UInt64) throws -> Common_Block? { try ledger.block(number) }

    /// The stored bytes of block `number`, or `nil` above the height (served without decoding).
    public func blockBytes(_ number: UInt64) throws -> [UInt8]? { try ledger.blockBytes(number) }

    /// Waits until the ledger is higher than `number` (returns at once if it already is), or
    /// until the calling task is cancelled.
    public func waitForBlock(_ number: UInt64) async {
        while ledger.height <= number, !Task.isCancelled {
            nextWaiter += 1
            let id = nextWaiter
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    if Task.isCancelled { continuation.resume() } else { waiters[id] = continuation }
                }
            } onCancel: {
                Task { await self.cancelWaiter(id) }
            }
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        waiters.removeValue(forKey: id)?.resume()
    }
}

extension WireBroadcastResponse {
    init(_ status: WireStatus, _ info: String, txID: String = "") {
        self.init()
        self.status = status
        self.info = info
        self.txID = txID
    }
}

/// Why the orderer refused a request or could not start.
public enum OrdererError: Error, CustomStringConvertible, Equatable {
    case unknownChannel(String)
    case badGenesis(String)
    case notAllowed(String)

    public var description: String {
        switch self {
        case .unknownChannel(let name): return "channel \(name) does not exist on this orderer; create it with `fabnet channel create \(name)`"
        case .badGenesis(let reason): return "bad genesis block: \(reason)"
        case .notAllowed(let reason): return reason
        }
    }
}
