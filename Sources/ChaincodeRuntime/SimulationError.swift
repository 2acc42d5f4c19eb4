/// Why the simulator refused a chaincode's request, said so the chaincode's author can act on it.
/// The handler sends the description to the shim in an ERROR message, as Fabric's peer does.
public enum SimulationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// PUT_STATE or DEL_STATE with an empty key.
    case emptyKey(namespace: String)
    /// A write after a paginated range query (Fabric allows pagination only in read-only transactions).
    case writeAfterPaginatedQuery(namespace: String, key: String)
    /// A paginated range query after a write (same rule).
    case paginatedQueryAfterWrite(namespace: String)
    /// A range query the simulator never opened.
    case unknownRangeQuery(RangeQueryID)

    public var description: String {
        switch self {
        case .emptyKey(let namespace):
            return "a key in namespace \(namespace) must not be empty; give PutState/DelState a non-empty key"
        case .writeAfterPaginatedQuery(let namespace, let key):
            return "cannot write \(key) in namespace \(namespace): this transaction made a paginated range query, and paginated queries are allowed only in read-only transactions (as in Fabric); query without a page size, or split the read from the write"
        case .paginatedQueryAfterWrite(let namespace):
            return "cannot run a paginated range query in namespace \(namespace) after a write: paginated queries are allowed only in read-only transactions (as in Fabric); query without a page size"
        case .unknownRangeQuery(let id):
            return "range query \(id.rawValue) was never opened in this transaction"
        }
    }
}
