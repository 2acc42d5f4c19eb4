import Crypto
import Foundation

/// The hashes that chain blocks together, over canonical length-prefixed encodings rather than
/// protobuf bytes or plain concatenations.
///
/// Guarantees: `dataHash` differs for any two different transaction lists, even when their
/// concatenations are equal (Fabric's CVE-2023-46132 came from hashing a concatenation);
/// `headerHash` commits to the number, previous hash and data hash, each unambiguously delimited.
public enum BlockHasher {
    /// SHA-256 of "fabnet/data/v1" ‖ u64(count) ‖ for each: u64(length) ‖ bytes (big-endian).
    public static func dataHash<Transactions: Sequence>(_ transactions: Transactions) -> Data where Transactions.Element == Data {
        var hasher = SHA256()
        hasher.update(data: Data("fabnet/data/v1".utf8))
        let list = Array(transactions)
        hasher.update(bigEndian: UInt64(list.count))
        for transaction in list {
            hasher.update(bigEndian: UInt64(transaction.count))
            hasher.update(data: transaction)
        }
        return Data(hasher.finalize())
    }

    /// SHA-256 of "fabnet/header/v1" ‖ u64(number) ‖ u64(len) ‖ previousHash ‖ u64(len) ‖ dataHash.
    public static func headerHash(number: UInt64, previousHash: Data, dataHash: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: Data("fabnet/header/v1".utf8))
        hasher.update(bigEndian: number)
        hasher.update(bigEndian: UInt64(previousHash.count))
        hasher.update(data: previousHash)
        hasher.update(bigEndian: UInt64(dataHash.count))
        hasher.update(data: dataHash)
        return Data(hasher.finalize())
    }
}

extension BlockHasher {
    /// Lower-case hex of SHA-256(bytes).
    public static func sha256Hex(_ bytes: Data) -> String {
        SHA256.hash(data: bytes).map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }
}

extension SHA256 {
    fileprivate mutating func update(bigEndian value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { update(bufferPointer: $0) }
    }
}
