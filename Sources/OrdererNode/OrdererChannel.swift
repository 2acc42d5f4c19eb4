import FabnetCrypto
import FabnetModel
import FabnetWire
import Foundation
import Ledger

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
public actor OrdererChannel {
    public nonisolated let name: String
    public nonisolated let config: WireChannelConfig
    private let ledger: ChannelLedger
    private let pendingLog: BlockFile
    private let signer: SigningIdentity
    private let validator: MembershipValidator
    private var cutter: BlockCutter<Data>
    private var knownTransactionIDs: Set<String> = []
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter: UInt64 = 0
    private let log: @Sendable (String) -> Void

    /// Opens (or creates from `genesis`) the channel's ledger under `directory` and replays its
    /// pending log.
    public init(directory: URL, genesis: WireBlock?, signer: SigningIdentity, durability: LedgerDurability = .fsyncEachAppend,
                log: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        let (ledger, report) = try ChannelLedger.open(directory: directory, channel: directory.lastPathComponent, durability: durability)
        if report.truncatedBytes > 0 { log("ledger \(directory.lastPathComponent): cut a torn last record of \(report.truncatedBytes) bytes") }
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
        self.log = log
        self.validator = MembershipValidator(organizations: try (config.applicationOrgs + config.ordererOrgs).map {
            try OrganizationRoots(mspID: $0.mspID, rootCertificatesPEM: $0.rootCerts.map { String(decoding: $0, as: UTF8.self) }, nodeOUs: $0.nodeOus)
        })
        cutter = BlockCutter(limits: .init(
            maxMessageCount: Int(config.batch.maxMessageCount), preferredMaxBytes: Int(config.batch.preferredMaxBytes),
            batchTimeout: .nanoseconds(config.batch.batchTimeoutNanos)))
        pendingLog = try BlockFile(path: directory.appendingPathComponent("pending.log").path, durability: durability)
        for number in 0..<ledger.height {
            for id in Self.transactionIDs(in: try ledger.block(number)!) { knownTransactionIDs.insert(id) }
        }
        try await replayPendingLog()
    }

    public var height: UInt64 { ledger.height }

    // MARK: broadcast

    /// Admits one signed transaction; SUCCESS means durable.
    public func broadcast(_ envelope: WireEnvelope) async -> WireBroadcastResponse {
        let size = (try? envelope.serializedBytes() as Data)?.count ?? 0
        guard size <= Int(config.batch.absoluteMaxBytes) else {
            return .init(.requestEntityTooLarge, "transaction of \(size) bytes exceeds AbsoluteMaxBytes (\(config.batch.absoluteMaxBytes))")
        }
        let verified: Verified<WireTransaction>
        do {
            verified = try await EnvelopeSealing.open(envelope, as: WireTransaction.self, creator: \.creator, validator: validator)
        } catch let error as IdentityError {
            return .init(.forbidden, "\(error)")
        } catch {
            return .init(.badRequest, "\(error)")
        }
        let transaction = verified.value
        guard transaction.channelID == name else { return .init(.badRequest, "transaction is for channel \(transaction.channelID), not \(name)") }
        guard !transaction.hasConfig else { return .init(.badRequest, "configuration transactions are not accepted by broadcast") }
        guard config.applicationOrgs.contains(where: { $0.mspID == verified.signer.mspID }),
              [.client, .admin, .member].contains(verified.signer.role) else {
            return .init(.forbidden, "\(verified.signer.mspID) \(verified.signer.role.rawValue) is not a writer of \(name) (clients and admins of its member orgs are)")
        }
        guard transaction.txID == TransactionID.make(nonce: transaction.nonce, creator: transaction.creator) else {
            return .init(.badRequest, "tx id is not SHA-256(nonce ‖ creator)")
        }
        guard !knownTransactionIDs.contains(transaction.txID) else {
            return .init(.badRequest, "duplicate transaction \(transaction.txID)", txID: transaction.txID)
        }
        do {
            let bytes: Data = try envelope.serializedBytes()
            try pendingLog.append(Array(bytes))
            knownTransactionIDs.insert(transaction.txID)
            try perform(cutter.ordered(bytes, size: bytes.count, now: .now))
        } catch {
            log("channel \(name): \(error)")
            return .init(.internalServerError, "\(error)", txID: transaction.txID)
        }
        return .init(.success, "", txID: transaction.txID)
    }

    private func perform(_ effects: [BlockCutter<Data>.Effect]) throws {
        for effect in effects {
            switch effect {
            case .cut(let transactions):
                try commit(transactions)
            case let .startTimer(instant, generation):
                Task { [weak self] in
                    try? await Task.sleep(until: instant, clock: .continuous)
                    await self?.timerExpired(generation: generation)
                }
            }
        }
    }

    private func timerExpired(generation: Int) {
        do { try perform(cutter.timerExpired(generation: generation)) } catch { log("channel \(name): cutting on timeout failed: \(error)") }
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
        if cutter.pendingCount == 0 { try pendingLog.truncate(to: 0) }
        let resumed = waiters.values
        waiters = [:]
        for waiter in resumed { waiter.resume() }
    }

    /// Re-admits what the pending log holds and the ledger does not (after a crash).
    private func replayPendingLog() async throws {
        var replayed = 0
        for record in try pendingLog.readAll() {
            let bytes = Data(record)
            guard let id = Self.transactionIDs(in: [bytes]).first, !knownTransactionIDs.contains(id) else { continue }
            knownTransactionIDs.insert(id)
            try perform(cutter.ordered(bytes, size: bytes.count, now: .now))
            replayed += 1
        }
        if replayed > 0 { log("channel \(name): replayed \(replayed) acknowledged transaction(s) from the pending log") }
        if cutter.pendingCount == 0 { try pendingLog.truncate(to: 0) }
    }

    static func transactionIDs(in block: WireBlock) -> [String] { transactionIDs(in: block.data.transactions) }

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
