/// An endorser as planning sees it: where it is, its org, its ledger height, whether it is the
/// gateway's own peer, and its position in the backend's list (`index`) to call it by.
///
/// Guarantees: a plain value; ``EndorserCandidate/askingOrder`` orders the candidates of one org
/// the same way for the same inputs (highest ledger first, the gateway's own peer first among
/// equals, then by address).
public struct EndorserCandidate: Sendable, Hashable, CustomStringConvertible {
    public var index: Int
    public var address: String
    public var mspID: String
    public var ledgerHeight: UInt64
    public var isLocal: Bool

    public init(index: Int, address: String, mspID: String, ledgerHeight: UInt64, isLocal: Bool = false) {
        self.index = index
        self.address = address
        self.mspID = mspID
        self.ledgerHeight = ledgerHeight
        self.isLocal = isLocal
    }

    public var description: String { "\(mspID) at \(address) (height \(ledgerHeight))" }

    /// Whether `a` is asked before `b`.
    public static func askingOrder(_ a: EndorserCandidate, _ b: EndorserCandidate) -> Bool {
        if a.ledgerHeight != b.ledgerHeight { return a.ledgerHeight > b.ledgerHeight }
        if a.isLocal != b.isLocal { return a.isLocal }
        if a.address != b.address { return a.address < b.address }
        return a.index < b.index
    }
}

extension Array where Element == EndorserCandidate {
    /// The candidates worth asking, by org in asking order: those whose ledger is at most
    /// `maximumLag` blocks below the highest height known on the channel (a lagging peer would
    /// simulate on older state, and its answer would not match the others').
    public func eligibleByOrganization(maximumLag: UInt64) -> [String: [EndorserCandidate]] {
        guard let highest = map(\.ledgerHeight).max() else { return [:] }
        let floor = highest > maximumLag ? highest - maximumLag : 0
        return Dictionary(grouping: filter { $0.ledgerHeight >= floor }, by: \.mspID)
            .mapValues { $0.sorted(by: EndorserCandidate.askingOrder) }
    }
}
