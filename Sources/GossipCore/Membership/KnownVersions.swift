import FabnetModel

/// Which version of each peer's signed message (its alive message, or its state info in a
/// channel) a requester holds: a peer's key (the first 8 bytes of its PKI-ID) and the message's
/// time. A responder sends only newer ones, as Fabric's pull sends only the messages whose
/// digests the requester lacks. At 100 starting peers, full answers to snapshot and membership
/// requests (57 and 65 KB each) were most of the bytes the network received.
///
/// Guarantees: `knows` is true only when the requester holds a message of the same key that is
/// not older; a key shared by two peers (a 2⁻⁶⁴ chance per pair) can only hide one peer's newer
/// message from this one responder, and its next change travels by push anyway.
///
/// Held as two arrays sorted by key (24 bytes an entry, looked up by binary search): a request
/// names every member or channel peer, and a big simulation keeps many in flight, where a
/// dictionary took twice the memory.
public struct KnownVersions: Hashable, Sendable {
    /// Keys in ascending order, without repeats; `versions[i]` is the time held for `keys[i]`.
    private var keys: [UInt64] = []
    private var versions: [PeerTime] = []

    public init(times: [UInt64: PeerTime] = [:]) {
        self.init(entries: times.map { ($0.key, $0.value) })
    }

    /// From (key, time) pairs in any order; of two with the same key, the newer time counts.
    public init(entries: [(key: UInt64, time: PeerTime)]) {
        var sorted = entries
        sorted.sort { $0.key < $1.key }
        keys.reserveCapacity(sorted.count)
        versions.reserveCapacity(sorted.count)
        for entry in sorted {
            if keys.last == entry.key {
                versions[versions.count - 1] = max(versions[versions.count - 1], entry.time)
            } else {
                keys.append(entry.key)
                versions.append(entry.time)
            }
        }
    }

    /// Nothing known: the responder sends everything it may disclose.
    public static let none = KnownVersions()

    public static func key(_ id: PKIID) -> UInt64 {
        id.bytes.count >= 8 ? id.leadingBytes : id.bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The entries as a dictionary (for tests and small uses; setting it replaces them all).
    public var times: [UInt64: PeerTime] {
        get { Dictionary(uniqueKeysWithValues: zip(keys, versions)) }
        set { self = KnownVersions(times: newValue) }
    }

    /// The entries in ascending key order.
    public var sortedEntries: Zip2Sequence<[UInt64], [PeerTime]> { zip(keys, versions) }

    public var count: Int { keys.count }

    /// Where `key` is, or where it would go.
    private func position(of key: UInt64) -> (index: Int, found: Bool) {
        var low = 0, high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return (low, low < keys.count && keys[low] == key)
    }

    /// The time held for `id`'s key, if any.
    public func time(of id: PKIID) -> PeerTime? {
        let (index, found) = position(of: Self.key(id))
        return found ? versions[index] : nil
    }

    public func knows(_ id: PKIID, at time: PeerTime) -> Bool {
        self.time(of: id).map { $0 >= time } ?? false
    }

    public func knows(_ info: StateInfo) -> Bool { knows(info.pkiID, at: info.time) }

    public mutating func insert(_ id: PKIID, at time: PeerTime) {
        let key = Self.key(id)
        let (index, found) = position(of: key)
        if found {
            versions[index] = time
        } else {
            keys.insert(key, at: index)
            versions.insert(time, at: index)
        }
    }

    /// About 18 bytes per entry on the wire (packed fixed64 and two varints).
    public var estimatedWireSize: Int { 18 * keys.count }
}

extension ChannelStateInfo {
    /// The state infos this peer holds, own included, to send with a snapshot request.
    public var versions: KnownVersions { versions(includingOwn: true) { _ in true } }

    /// The state infos this peer holds of the peers `include` accepts, and its own if `includingOwn`.
    public func versions(includingOwn: Bool, where include: (PKIID) -> Bool) -> KnownVersions {
        var entries: [(key: UInt64, time: PeerTime)] = includingOwn ? [(KnownVersions.key(own.pkiID), own.time)] : []
        forEachVersion(where: include) { id, time in entries.append((KnownVersions.key(id), time)) }
        return KnownVersions(entries: entries)
    }
}
