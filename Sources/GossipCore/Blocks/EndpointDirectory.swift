import FabnetModel

/// Own-org peers by PKI-ID with where to reach them: their alive messages (one shared reference
/// each, 8 bytes) sorted by PKI-ID, looked up by binary search. A `[PKIID: Endpoint]` took
/// about 80 bytes a peer; a peer keeps one per channel for its org, and a simulator of 10,000
/// peers holds it for every pair of peers in an org.
///
/// Guarantees: `ids` is sorted and without repeats (of two entries for one PKI-ID, the first
/// given counts); a peer's endpoint is its internal one, else its external one (an own-org
/// peer's address, as `Membership.destination` gives it); a peer with neither is left out
/// (`destination` would name this peer's own endpoint); equal directories hold the same peers
/// at the same endpoints.
public struct EndpointDirectory: Equatable, Sendable, ExpressibleByDictionaryLiteral {
    private var members: [AliveMessage] = []

    public init() {}

    /// From own-org peers' alive messages (in any order); one with no endpoint is left out.
    public init(_ alive: some Sequence<AliveMessage>) {
        var sorted = Array(alive.filter { $0.internalEndpoint != nil || $0.externalEndpoint != nil }.enumerated())
        sorted.sort { ($0.element.pkiID, $0.offset) < ($1.element.pkiID, $1.offset) }
        members.reserveCapacity(sorted.count)
        for (_, member) in sorted where members.last?.pkiID != member.pkiID { members.append(member) }
    }

    /// From PKI-IDs and endpoints (tests and small uses).
    public init(_ dictionary: [PKIID: Endpoint]) {
        self.init(dictionary.map { AliveMessage(pkiID: $0.key, mspID: "", externalEndpoint: nil, internalEndpoint: $0.value, time: PeerTime(incarnation: 0, sequence: 0)) })
    }

    public init(dictionaryLiteral elements: (PKIID, Endpoint)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { first, _ in first }))
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    /// The PKI-IDs, sorted.
    public var ids: [PKIID] { members.map(\.pkiID) }

    public subscript(id: PKIID) -> Endpoint? {
        var low = 0, high = members.count
        while low < high {
            let middle = (low + high) / 2
            if members[middle].pkiID < id { low = middle + 1 } else { high = middle }
        }
        return low < members.count && members[low].pkiID == id ? Self.endpoint(of: members[low]) : nil
    }

    /// The peers and their endpoints, in PKI-ID order.
    public var pairs: [(PKIID, Endpoint)] { members.map { ($0.pkiID, Self.endpoint(of: $0)) } }

    private static func endpoint(of member: AliveMessage) -> Endpoint {
        (member.internalEndpoint ?? member.externalEndpoint)!
    }

    public static func == (lhs: EndpointDirectory, rhs: EndpointDirectory) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.pkiID == $1.pkiID && endpoint(of: $0) == endpoint(of: $1) }
    }
}
