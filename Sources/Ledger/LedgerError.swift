/// Why a ledger refused to open or to take a block: what, which channel and block, what to do.
public enum LedgerError: Error, Equatable, CustomStringConvertible {
    /// A block before the end of the file is damaged: the ledger is not opened.
    case corrupted(channel: String, block: UInt64, offset: Int, reason: String)
    /// An appended block does not continue the chain.
    case outOfOrder(channel: String, expected: UInt64, got: UInt64)
    case previousHashMismatch(channel: String, block: UInt64)
    case dataHashMismatch(channel: String, block: UInt64)
    /// An appended block's entries are not each a canonical Envelope (Fabric's guard against
    /// cross-linked transactions).
    case notWellFormed(channel: String, block: UInt64, reason: String)
    /// The folder holds a ledger in the block format of an older fabnet.
    case olderFormat(path: String)
    case io(path: String, operation: String, errno: Int32)

    public var description: String {
        switch self {
        case let .corrupted(channel, block, offset, reason):
            return "ledger of channel \(channel) is corrupted at block \(block) (byte \(offset)): \(reason); "
                + "fix: restore the ledger folder from a copy, or remove it to fetch the chain again"
        case let .outOfOrder(channel, expected, got):
            return "channel \(channel): block \(got) does not follow the ledger's height (next is \(expected))"
        case let .previousHashMismatch(channel, block):
            return "channel \(channel): block \(block)'s previous hash is not the hash of block \(block - 1)"
        case let .dataHashMismatch(channel, block):
            return "channel \(channel): block \(block)'s data hash does not match its transactions"
        case let .notWellFormed(channel, block, reason):
            return "channel \(channel): block \(block) is refused: \(reason)"
        case let .olderFormat(path):
            return "\(path) holds state from an older fabnet (its own block format, not Fabric's); fix: fabnet down --clean"
        case let .io(path, operation, code):
            return "cannot \(operation) \(path): errno \(code)"
        }
    }
}
