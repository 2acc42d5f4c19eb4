import FabnetModel

/// A set of PKI-IDs kept in an array whose order depends only on the order of insertions and
/// removals (so the same run draws the same random members), with O(1) insert, remove and
/// membership test. Removal moves the last id into the hole.
struct OrderedIDs: Sendable {
    private(set) var ids: [PKIID] = []
    private var positions: [PKIID: Int] = [:]

    func contains(_ id: PKIID) -> Bool { positions[id] != nil }

    mutating func insert(_ id: PKIID) {
        guard positions[id] == nil else { return }
        positions[id] = ids.count
        ids.append(id)
    }

    mutating func remove(_ id: PKIID) {
        guard let position = positions.removeValue(forKey: id) else { return }
        let last = ids.removeLast()
        if position < ids.count {
            ids[position] = last
            positions[last] = position
        }
    }
}
