import FabnetModel

/// The decisions of the outgoing gossip connection table, as a pure state machine: one
/// connection per endpoint, dialled on first send and retried, endpoints that failed recently,
/// which dials a returning peer makes stale, and which "cannot reach" lines are logged.
/// `PeerConnections` (the shell) feeds it events and carries out what each returns: it owns the
/// sockets, the queues and the tasks, the table owns every decision. Time (on the node's
/// `NodeClock`) is passed in.
///
/// Guarantees:
/// - `send` to an endpoint with a connection (dialling or open) queues on it; to an endpoint
///   whose last connection failed less than `retryAfter` ago it drops (counted in
///   `droppedRecentlyFailed`); otherwise it dials a new connection, with a new id.
/// - A dial that fails before its handshake is retried after 50, 100, 200, 400 ms
///   (`connectAttempts` attempts in all); then the endpoint counts as failed at that time and its
///   connection is removed.
/// - A handshake that proves another PKI-ID than expected removes the connection and counts the
///   endpoint failed; one that proves the expected one (or any, when none is expected) opens it.
/// - An event about a connection that is no longer the endpoint's current one (dropped, closed,
///   or replaced by a newer one) changes nothing, so an old connection's end never tears down
///   its successor.
/// - `peerIsBack` forgets the failures of the endpoints dialled expecting that peer and removes
///   their connections that are still dialling (their queues are stale); open ones stay.
/// - A connection a peer opened to this node and gossips on (`accept`) carries sends to that
///   peer while this side has no connection of its own to the endpoint: a pair that talks both
///   ways shares one TLS connection, and an answer does not wait for a handshake. A peer has at
///   most one such connection at a time (a newer one replaces it); one that ended
///   (`acceptedEnded`) carries nothing more.
public struct ConnectionTable: Sendable {
    /// Names one connection (dial) for its whole life; never reused.
    public typealias ConnectionID = Int

    /// One outgoing connection.
    public struct Connection: Sendable, Equatable {
        public enum Phase: Sendable, Equatable {
            /// No handshake yet; `attempt` is the dial attempt under way (1 = the first).
            case dialing(attempt: Int)
            /// The handshake succeeded; packets flow.
            case open
        }

        public let id: ConnectionID
        /// The PKI-ID the remote must prove, if known.
        public let expecting: PKIID?
        public var phase: Phase
    }

    /// What `send` asks the shell to do.
    public enum SendAction: Sendable, Equatable {
        /// Queue the packet on connection `id`.
        case enqueue(ConnectionID)
        /// Make a queue for connection `id`, queue the packet on it and start dialling.
        case dial(ConnectionID)
        /// Drop the packet: the endpoint failed less than `retryAfter` ago.
        case drop
    }

    /// What a dial failure (before the handshake) asks the shell to do.
    public enum DialFailureAction: Sendable, Equatable {
        /// Wait `after`, then dial again.
        case retry(after: Duration)
        /// Stop: the endpoint counts as failed; close the connection's queue and log `log`, if any.
        case giveUp(log: String?)
        /// Stop quietly: the connection was removed (dropped, closed, or the service ends).
        case stop
    }

    /// What a finished handshake asks the shell to do.
    public enum ConnectedAction: Sendable, Equatable {
        /// Exchange packets; log `log` (the endpoint is reachable again), if any.
        case exchange(log: String?)
        /// Close: the remote proved another identity (`reason` says which); close the queue and log it.
        case refuse(reason: String)
        /// Close quietly: the connection was removed while it dialled.
        case abandon
    }

    /// What the end of an open connection asks the shell to do.
    public enum ClosedAction: Sendable, Equatable {
        /// Close the connection's queue; log `log`, if any.
        case close(log: String?)
        /// Nothing: the connection was no longer the endpoint's current one.
        case ignore
    }

    /// Dial attempts before an endpoint counts as unreachable (about 0.75 s in all).
    public let connectAttempts: Int
    /// The wait before the second attempt; it doubles for each further one.
    public let firstRetryDelay: Duration
    /// How long sends to a failed endpoint are dropped instead of dialling it again.
    public let retryAfter: Duration

    public private(set) var connections: [Endpoint: Connection] = [:]
    /// When each endpoint's last connection failed (forgotten when one works or its peer is back).
    public private(set) var failedAt: [Endpoint: Duration] = [:]
    /// Packets dropped because their endpoint failed recently.
    public private(set) var droppedRecentlyFailed = 0
    /// Connections peers opened to this node and gossip on, by the PKI-ID each proved.
    public private(set) var accepted: [PKIID: ConnectionID] = [:]
    /// The endpoints dialled expecting each PKI-ID.
    private var endpointsOf: [PKIID: Set<Endpoint>] = [:]
    private var lastID: ConnectionID = 0
    private var unreachable: UnreachableLog

    public init(connectAttempts: Int = 5, firstRetryDelay: Duration = .milliseconds(50), retryAfter: Duration = .milliseconds(500),
                unreachableLog: UnreachableLog = UnreachableLog()) {
        self.connectAttempts = connectAttempts
        self.firstRetryDelay = firstRetryDelay
        self.retryAfter = retryAfter
        unreachable = unreachableLog
    }

    /// The current connection of `endpoint`, if `id` is it.
    private func current(_ id: ConnectionID, _ endpoint: Endpoint) -> Connection? {
        guard let connection = connections[endpoint], connection.id == id else { return nil }
        return connection
    }

    /// A packet is to go to `endpoint`, whose remote must prove `expecting` (if known).
    public mutating func send(to endpoint: Endpoint, expecting: PKIID?, now: Duration) -> SendAction {
        if let connection = connections[endpoint] { return .enqueue(connection.id) }
        if let expecting, let id = accepted[expecting] { return .enqueue(id) }
        if let failed = failedAt[endpoint], now - failed < retryAfter {
            droppedRecentlyFailed += 1
            return .drop
        }
        lastID += 1
        connections[endpoint] = Connection(id: lastID, expecting: expecting, phase: .dialing(attempt: 1))
        if let expecting { endpointsOf[expecting, default: []].insert(endpoint) }
        return .dial(lastID)
    }

    /// Dial `id` to `endpoint` failed before its handshake with `reason` (`cancelled`: its task
    /// was cancelled). `reason` is formed only for a line that is logged: describing an error
    /// reflects over it, and most failed dials of a start are retried silently.
    public mutating func dialFailed(_ id: ConnectionID, to endpoint: Endpoint, reason: @autoclosure () -> String, cancelled: Bool,
                                    now: Duration) -> DialFailureAction {
        guard let connection = current(id, endpoint), case .dialing(let attempt) = connection.phase else { return .stop }
        if cancelled {
            connections[endpoint] = nil
            return .stop
        }
        if attempt < connectAttempts {
            connections[endpoint]?.phase = .dialing(attempt: attempt + 1)
            return .retry(after: firstRetryDelay * (1 << (attempt - 1)))
        }
        connections[endpoint] = nil
        failedAt[endpoint] = now
        return .giveUp(log: unreachable.failed(endpoint, reason: reason(), now: now))
    }

    /// Dial `id` to `endpoint` finished its handshake; the remote proved `proved`.
    public mutating func connected(_ id: ConnectionID, to endpoint: Endpoint, proved: PKIID, now: Duration) -> ConnectedAction {
        guard let connection = current(id, endpoint) else { return .abandon }
        if let expecting = connection.expecting, proved != expecting {
            connections[endpoint] = nil
            failedAt[endpoint] = now
            return .refuse(reason: "\(endpoint) proved to be \(proved), not \(expecting)")
        }
        connections[endpoint]?.phase = .open
        failedAt[endpoint] = nil
        return .exchange(log: unreachable.reached(endpoint))
    }

    /// Open connection `id` to `endpoint` ended: with `failure` (what went wrong), or cleanly (nil).
    public mutating func closed(_ id: ConnectionID, to endpoint: Endpoint, failure: String?, now: Duration) -> ClosedAction {
        guard current(id, endpoint) != nil else { return .ignore }
        connections[endpoint] = nil
        guard let failure else {
            failedAt[endpoint] = nil
            return .close(log: nil)
        }
        failedAt[endpoint] = now
        return .close(log: "connection to \(endpoint) ended: \(failure)")
    }

    /// `peer` reached this node over its own connection: the connections (still dialling) to
    /// cancel, whose queues are stale.
    public mutating func peerIsBack(_ peer: PKIID) -> [ConnectionID] {
        var stale: [ConnectionID] = []
        for endpoint in (endpointsOf[peer] ?? []).sorted(by: { $0.description < $1.description }) {
            failedAt[endpoint] = nil
            guard let connection = connections[endpoint], case .dialing = connection.phase else { continue }
            connections[endpoint] = nil
            stale.append(connection.id)
        }
        return stale
    }

    /// `peer` (proven in the handshake) gossips on a connection it opened to this node: the id
    /// that connection now has in the table, and the one it replaces (whose queue is to close).
    public mutating func accept(from peer: PKIID) -> (id: ConnectionID, replaced: ConnectionID?) {
        lastID += 1
        let replaced = accepted.updateValue(lastID, forKey: peer)
        return (lastID, replaced)
    }

    /// Accepted connection `id` from `peer` ended; sends to the peer no longer go on it.
    public mutating func acceptedEnded(_ id: ConnectionID, from peer: PKIID) {
        if accepted[peer] == id { accepted[peer] = nil }
    }

    /// Every connection is to close: their ids, the accepted ones too (the table is then empty).
    public mutating func closeAll() -> [ConnectionID] {
        defer {
            connections.removeAll()
            accepted.removeAll()
        }
        return (connections.values.map(\.id) + accepted.values).sorted()
    }
}
