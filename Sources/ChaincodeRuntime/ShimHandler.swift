import FabricWire
import Foundation
import SwiftProtobuf

/// The peer's side of one chaincode stream (`protos.Chaincode/Connect`) as a pure state machine:
/// events in, effects out, no I/O, no clocks (the shell feeds timeouts in as events).
///
/// Guarantees:
/// - The first message must be REGISTER with a ChaincodeID whose name is the expected chaincode
///   ID; then the handler sends REGISTERED and READY and reports ``Effect/registered``. Anything
///   else first, or another ID, closes the stream with a ``ChaincodeError`` saying what to fix.
/// - Several transactions may be in flight, keyed by channel and transaction ID
///   (``TransactionKey``); each is simulated against the committed state it was invoked with
///   (``TransactionSimulator``), in the chaincode's namespace.
/// - GET_STATE, PUT_STATE, DEL_STATE, GET_STATE_BY_RANGE (pages of `rangeBatchSize` records,
///   or one page of the QueryMetadata's page size), QUERY_STATE_NEXT and QUERY_STATE_CLOSE are
///   answered with RESPONSE; any other request type, a private-data collection, an undecodable
///   payload, a request refused by the simulator or one for a transaction not in flight gets an
///   ERROR saying why. Every RESPONSE and ERROR repeats the request's txid and channel_id.
/// - QUERY_STATE_CLOSE is answered even for a query that is exhausted or unknown (Hyperledger's
///   Python shim closes after the last page with whatever id it holds).
/// - Each invocation completes exactly once: COMPLETED (the chaincode's Response, the read-write
///   set, the chaincode event stamped with the chaincode's name and the txid), the chaincode's ERROR, a timeout, a cancellation, or the stream's
///   end. KEEPALIVE is ignored; a message for a transaction that already completed is ignored
///   (COMPLETED, ERROR) or answered with ERROR (state requests).
public struct ShimHandler: Sendable {
    /// What the handler needs to know about the chaincode it talks to.
    public struct Configuration: Sendable, Equatable {
        /// The chaincode's name: the namespace its state lives in.
        public var chaincodeName: String
        /// The ID the chaincode must register with (Fabric's CHAINCODE_ID; by default the name).
        public var expectedChaincodeID: String
        /// Where the chaincode server is (for error messages).
        public var address: String
        /// How many records one page of a range query carries when the chaincode gives no page
        /// size (Fabric's peer uses 100).
        public var rangeBatchSize: Int

        public init(chaincodeName: String, expectedChaincodeID: String? = nil, address: String, rangeBatchSize: Int = 100) {
            self.chaincodeName = chaincodeName
            self.expectedChaincodeID = expectedChaincodeID ?? chaincodeName
            self.address = address
            self.rangeBatchSize = max(1, rangeBatchSize)
        }
    }

    /// Where the stream is.
    public enum Phase: Sendable, Equatable {
        case awaitingRegister
        case ready
        case closed(ChaincodeError)
    }

    /// One call of the chaincode.
    public struct Invocation: Sendable {
        public var transaction: TransactionKey
        /// The client's signed proposal (the contract API reads the creator and timestamp from it).
        public var signedProposal: Protos_SignedProposal
        public var input: Protos_ChaincodeInput
        /// The simulator the chaincode's requests run in (it may already hold reads the peer made).
        public var simulator: TransactionSimulator
        /// INIT instead of TRANSACTION.
        public var isInit: Bool

        public init(transaction: TransactionKey, signedProposal: Protos_SignedProposal, input: Protos_ChaincodeInput,
                    simulator: TransactionSimulator, isInit: Bool = false) {
            self.transaction = transaction
            self.signedProposal = signedProposal
            self.input = input
            self.simulator = simulator
            self.isInit = isInit
        }
    }

    /// Something that happened.
    public enum Event: Sendable {
        /// A message from the chaincode's shim.
        case received(Protos_ChaincodeMessage)
        /// The peer calls the chaincode.
        case invoke(Invocation)
        /// The transaction's deadline passed.
        case timedOut(TransactionKey, seconds: Double)
        /// The caller stopped waiting for the transaction.
        case cancelled(TransactionKey)
        /// The stream ended (the chaincode went away, the connection broke, the peer shut down).
        case streamClosed(reason: String)
    }

    /// Something the shell must do, in order.
    public enum Effect: Sendable, Equatable {
        /// Send this message to the shim.
        case send(Protos_ChaincodeMessage)
        /// The chaincode registered: invocations may start.
        case registered
        /// The invocation is over, with this outcome.
        case complete(TransactionKey, Result<ChaincodeInvocation, ChaincodeError>)
        /// End the stream for this reason.
        case close(ChaincodeError)
    }

    /// One invocation in flight.
    struct Transaction: Sendable {
        var simulator: TransactionSimulator
        /// Range queries with pages left, by the id the shim holds.
        var openQueries: [String: RangeQueryID] = [:]
    }

    public let configuration: Configuration
    public private(set) var phase: Phase = .awaitingRegister
    var transactions: [TransactionKey: Transaction] = [:]
    /// Numbers the range queries of this stream (the ids the shim holds).
    var queryCounter = 0

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// The transactions in flight.
    public var inFlight: Set<TransactionKey> { Set(transactions.keys) }

    public mutating func handle(_ event: Event) -> [Effect] {
        switch event {
        case .received(let message):
            return receive(message)
        case .invoke(let invocation):
            return invoke(invocation)
        case .timedOut(let key, let seconds):
            guard transactions.removeValue(forKey: key) != nil else { return [] }
            return [.complete(key, .failure(.timedOut(chaincode: configuration.chaincodeName, address: configuration.address,
                                                      transaction: key, seconds: seconds)))]
        case .cancelled(let key):
            guard transactions.removeValue(forKey: key) != nil else { return [] }
            return [.complete(key, .failure(.cancelled(chaincode: configuration.chaincodeName, transaction: key)))]
        case .streamClosed(let reason):
            let error = ChaincodeError.streamClosed(chaincode: configuration.chaincodeName, address: configuration.address, reason: reason)
            if case .closed = phase {} else { phase = .closed(error) }
            return failAll(error)
        }
    }

    private mutating func receive(_ message: Protos_ChaincodeMessage) -> [Effect] {
        if message.type == .keepalive { return [] }
        switch phase {
        case .closed:
            return []
        case .awaitingRegister:
            return register(message)
        case .ready:
            switch message.type {
            case .completed:
                return completed(message)
            case .error:
                return failed(message)
            case .getState, .putState, .delState, .getStateByRange, .queryStateNext, .queryStateClose:
                return [.send(answer(message))]
            default:
                return [.send(Self.error(to: message, "\(message.type.fabricName) is not supported by fabnet's peer: \(message.type.unsupportedReason)"))]
            }
        }
    }

    private mutating func register(_ message: Protos_ChaincodeMessage) -> [Effect] {
        guard message.type == .register else {
            return close(.protocolViolation(chaincode: configuration.chaincodeName, address: configuration.address,
                                            detail: "its first message was \(message.type.fabricName), not REGISTER"))
        }
        guard let id = try? Protos_ChaincodeID(serializedBytes: message.payload) else {
            return close(.protocolViolation(chaincode: configuration.chaincodeName, address: configuration.address,
                                            detail: "the REGISTER payload is not a ChaincodeID"))
        }
        guard id.name == configuration.expectedChaincodeID else {
            return close(.wrongChaincodeID(chaincode: configuration.chaincodeName, address: configuration.address,
                                           registered: id.name, expected: configuration.expectedChaincodeID))
        }
        phase = .ready
        return [.send(.with { $0.type = .registered }), .send(.with { $0.type = .ready }), .registered]
    }

    private mutating func invoke(_ invocation: Invocation) -> [Effect] {
        let key = invocation.transaction
        switch phase {
        case .awaitingRegister:
            return [.complete(key, .failure(.unavailable(chaincode: configuration.chaincodeName, address: configuration.address,
                                                         reason: "it has not registered on the stream yet")))]
        case .closed(let error):
            return [.complete(key, .failure(error))]
        case .ready:
            break
        }
        guard transactions[key] == nil else {
            return [.complete(key, .failure(.duplicateTransaction(chaincode: configuration.chaincodeName, transaction: key)))]
        }
        let payload: Data
        do { payload = try invocation.input.serializedBytes() } catch {
            return [.complete(key, .failure(.encodingFailed(chaincode: configuration.chaincodeName, transaction: key,
                                                            what: "the ChaincodeInput", cause: "\(error)")))]
        }
        transactions[key] = Transaction(simulator: invocation.simulator)
        return [.send(.with {
            $0.type = invocation.isInit ? .init_ : .transaction
            $0.payload = payload
            $0.txid = key.txID
            $0.channelID = key.channel
            $0.proposal = invocation.signedProposal
        })]
    }

    private mutating func completed(_ message: Protos_ChaincodeMessage) -> [Effect] {
        guard let key = inFlightKey(of: message), let transaction = transactions.removeValue(forKey: key) else { return [] }
        guard let response = try? Protos_Response(serializedBytes: message.payload) else {
            return [.complete(key, .failure(.protocolViolation(chaincode: configuration.chaincodeName, address: configuration.address,
                                                                detail: "the COMPLETED payload of \(key) is not a Response")))]
        }
        let readWriteSet: Rwset_TxReadWriteSet
        do { readWriteSet = try transaction.simulator.readWriteSet() } catch {
            return [.complete(key, .failure(.encodingFailed(chaincode: configuration.chaincodeName, transaction: key,
                                                            what: "the read-write set", cause: "\(error)")))]
        }
        // As Fabric's peer does, the event names this chaincode and transaction whatever the shim put there.
        var event: Protos_ChaincodeEvent?
        if message.hasChaincodeEvent {
            event = message.chaincodeEvent
            event?.chaincodeID = configuration.chaincodeName
            event?.txID = key.txID
        }
        let invocation = ChaincodeInvocation(response: response, readWriteSet: readWriteSet, events: event)
        return [.complete(key, .success(invocation))]
    }

    private mutating func failed(_ message: Protos_ChaincodeMessage) -> [Effect] {
        guard let key = inFlightKey(of: message), transactions.removeValue(forKey: key) != nil else { return [] }
        let text = String(decoding: message.payload, as: UTF8.self)
        return [.complete(key, .failure(.chaincodeFailed(chaincode: configuration.chaincodeName, transaction: key,
                                                          message: text.isEmpty ? "no reason given" : text)))]
    }

    /// The in-flight transaction a COMPLETED or ERROR names. Hyperledger's Python shim leaves
    /// channel_id out of the ERRORs it makes itself, so a txid alone is accepted when it is unique.
    private func inFlightKey(of message: Protos_ChaincodeMessage) -> TransactionKey? {
        let key = TransactionKey(channel: message.channelID, txID: message.txid)
        if transactions[key] != nil { return key }
        guard message.channelID.isEmpty else { return nil }
        let matches = transactions.keys.filter { $0.txID == message.txid }
        return matches.count == 1 ? matches.first : nil
    }

    private mutating func close(_ error: ChaincodeError) -> [Effect] {
        phase = .closed(error)
        return failAll(error) + [.close(error)]
    }

    private mutating func failAll(_ error: ChaincodeError) -> [Effect] {
        let keys = transactions.keys.sorted { ($0.channel, $0.txID) < ($1.channel, $1.txID) }
        transactions.removeAll()
        return keys.map { .complete($0, .failure(error)) }
    }

    /// A RESPONSE to `request`, repeating its txid and channel_id.
    static func response(to request: Protos_ChaincodeMessage, _ payload: Data = Data()) -> Protos_ChaincodeMessage {
        .with {
            $0.type = .response
            $0.payload = payload
            $0.txid = request.txid
            $0.channelID = request.channelID
        }
    }

    /// An ERROR answering `request`, repeating its txid and channel_id.
    static func error(to request: Protos_ChaincodeMessage, _ text: String) -> Protos_ChaincodeMessage {
        .with {
            $0.type = .error
            $0.payload = Data(text.utf8)
            $0.txid = request.txid
            $0.channelID = request.channelID
        }
    }
}
