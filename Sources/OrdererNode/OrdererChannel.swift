import FabnetConfig
import FabnetClient
import FabnetCrypto
import FabnetModel
import FabnetWire
import Foundation
import Ledger
import Logging
import OperationsEndpoint

/// One channel of the ordering service: admits signed transactions, cuts them into signed
/// blocks and serves those blocks.
///
/// Guarantees:
/// - A transaction is answered SUCCESS only once it is in the pending log on disk (fsync), so it
///   reaches a block even if the process dies right after answering; it is ordered once (its tx
///   id is refused when seen again, and the pending log is replayed against the ledger's tx ids).
/// - Admission (Writers): the envelope's signature verifies with the creator's certificate, the
///   creator is a client or admin of a member org (or a member of an org without NodeOUs), the
///   tx id is SHA-256(nonce ‖ creator), the channel matches, and the size is ≤ AbsoluteMaxBytes.
/// - Every block is signed by this orderer and on disk before it is delivered.
/// - Signatures and certificates are checked outside the actor (concurrently, one creator
///   certificate chain validated once); only the duplicate check, the pending log and the
///   cutter run on it.
public actor OrdererChannel {
    public nonisolated let name: String
    public nonisolated let config: WireChannelConfig
    private let ledger: ChannelLedger
    private let pendingLog: BlockFile
    private let signer: SigningIdentity
    private nonisolated let validator: MembershipValidator
    /// Creators already validated (clients submit thousands of transactions with one identity).
    private nonisolated let identities: ValidatedIdentityCache
    private var cutter: BlockCutter<Data>
    private var knownTransactionIDs: Set<String> = []
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
    public init(directory: URL, genesis: WireBlock?, signer: SigningIdentity, durability: LedgerDurability = .fsyncEachAppend,
                timers: ChildTasks, logger: Logger = Logger(label: "orderer", factory: { _ in SwiftLogNoOpLogHandler() })) async throws {
        let (ledger, report) = try ChannelLedger.open(directory: directory, channel: directory.lastPathComponent, durability: durability)
        if report.truncatedBytes > 0 { logger.warning("ledger \(directory.lastPathComponent): cut a torn last record of \(report.truncatedBytes) bytes") }
        if ledger.height == 0 {
            guard var genesis else { throw OrdererError.unknownChannel(directory.lastPathComponent) }
            try BlockSignatures.sign(&genesis, by: signer)
            try ledger.append(genesis)
        }
        guard let first = try ledger.block(0), let config = ChannelGenesis.configuration(in: first) else {
            throw OrdererError.badGenesis("block 0 of \(directory.lastPathComponent) carries no channel configuration")
        }
        self.name = config.channelID
        self.config = config
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
        for number in 0..<ledger.height {
            for id in Self.transactionIDs(in: try ledger.block(number)!) { knownTransactionIDs.insert(id) }
        }
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
        guard let bytes = try? envelope.serializedBytes() as Data else { return .init(.badRequest, "the envelope does not encode") }
        guard bytes.count <= Int(config.batch.absoluteMaxBytes) else {
            return .init(.requestEntityTooLarge, "transaction of \(bytes.count) bytes exceeds AbsoluteMaxBytes (\(config.batch.absoluteMaxBytes))")
        }
        let transaction: WireTransaction
        let signer: VerifiedSigner
        do {
            transaction = try WireTransaction(serializedBytes: envelope.payload)
        } catch {
            return .init(.badRequest, "\(FrameError.undecodable(type: WireTransaction.protoMessageName, reason: "\(error)"))")
        }
        do {
            signer = try await identities.verify(signature: envelope.signature, over: envelope.payload, by: transaction.creator)
        } catch let error as IdentityError {
            return .init(.forbidden, "\(error)")
        } catch {
            return .init(.badRequest, "\(error)")
        }
        guard transaction.channelID == name else { return .init(.badRequest, "transaction is for channel \(transaction.channelID), not \(name)") }
        guard !transaction.hasConfig else { return .init(.badRequest, "configuration transactions are not accepted by broadcast") }
        guard config.applicationOrgs.contains(where: { $0.mspID == signer.mspID }),
              [.client, .admin, .member].contains(signer.role) else {
            return .init(.forbidden, "\(signer.mspID) \(signer.role.rawValue) is not a writer of \(name) (clients and admins of its member orgs are)")
        }
        guard transaction.txID == TransactionID.make(nonce: transaction.nonce, creator: transaction.creator) else {
            return .init(.badRequest, "tx id is not SHA-256(nonce ‖ creator)")
        }
        return await admit(transaction.txID, bytes: bytes)
    }

    /// The stateful part of admission: not a duplicate, on disk, handed to the cutter.
    private func admit(_ txID: String, bytes: Data) -> WireBroadcastResponse {
        if let storageFailure { return .init(.serviceUnavailable, "channel \(name) stopped after a storage error (\(storageFailure)); restart the orderer") }
        guard !knownTransactionIDs.contains(txID) else {
            return .init(.badRequest, "duplicate transaction \(txID)", txID: txID)
        }
        do {
            try pendingLog.append(Array(bytes))
        } catch {
            logger.error("channel \(name): cannot store a transaction: \(error)")
            return .init(.internalServerError, "cannot store the transaction: \(error)", txID: txID)
        }
        pendingLogRecords += 1
        knownTransactionIDs.insert(txID)
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
        var block = WireBlock()
        block.header.number = ledger.height
        block.header.previousHash = ledger.currentHash ?? Data()
        block.data.transactions = transactions
        block.header.dataHash = BlockHasher.dataHash(transactions)
        block.metadata.cutTime = WireTimestamp(Date())
        try BlockSignatures.sign(&block, by: signer)
        try ledger.append(block)
        let resumed = waiters.values
        waiters = [:]
        for waiter in resumed { waiter.resume() }
    }

    /// Re-admits what the pending log holds and the ledger does not (after a crash).
    private func replayPendingLog() async throws {
        // Cut as the original run would have; the log is compacted only at the end, so until every
        // replayed transaction is in a block or rewritten into the log, the log still holds it.
        var effects: [BlockCutter<Data>.Effect] = []
        let records = try pendingLog.readAll()
        pendingLogRecords = records.count
        var replayed = 0
        for record in records {
            let bytes = Data(record)
            guard let id = Self.transactionIDs(in: [bytes]).first, !knownTransactionIDs.contains(id) else { continue }
            knownTransactionIDs.insert(id)
            effects += cutter.ordered(bytes, size: bytes.count, now: .now)
            replayed += 1
        }
        if replayed > 0 { logger.info("channel \(name): replayed \(replayed) acknowledged transaction(s) from the pending log") }
        perform(effects)
        if let storageFailure { throw OrdererError.badGenesis("channel \(name) cannot store blocks: \(storageFailure)") }
    }

    /// The transaction ids of a block's transactions, in order.
    public static func transactionIDs(in block: WireBlock) -> [String] { transactionIDs(in: block.data.transactions) }

    static func transactionIDs(in transactions: [Data]) -> [String] {
        transactions.compactMap { bytes in
            guard let envelope = try? WireEnvelope(serializedBytes: bytes),
                  let transaction = try? WireTransaction(serializedBytes: envelope.payload) else { return nil }
            return transaction.txID
        }
    }

    // MARK: deliver

    /// Whether `signer` may read this channel (Readers: any identity of a member or orderer org).
    public nonisolated func mayRead(_ signer: VerifiedSigner) -> Bool {
        (config.applicationOrgs + config.ordererOrgs).contains { $0.mspID == signer.mspID }
    }

    /// The validator for identities of this channel's orgs.
    public nonisolated var membershipValidator: MembershipValidator { validator }

    public func block(_ number: UInt64) throws -> WireBlock? { try ledger.block(number) }

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
