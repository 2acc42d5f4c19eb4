import Foundation
import SwiftProtobuf

/// The byte vectors `Tests/fabric/make_vectors.py` made with Hyperledger's own Python protos
/// (`Fixtures/fabric-vectors.json`): each a serialised message and the field values it holds.
struct FabricVectors {
    /// One vector: the official bytes and what decoding them must give.
    struct Vector {
        let message: String
        let bytes: [UInt8]
        let expected: [String: Any]

        /// The expected value under `key`, or a failure naming the key.
        func value<T>(_ key: String, as type: T.Type = T.self) throws -> T {
            guard let value = expected[key] as? T else { throw VectorError.missing("\(message).\(key)") }
            return value
        }
    }

    /// A vector or expectation the fixture does not have.
    enum VectorError: Error { case missing(String), badHex(String) }

    static let fixture = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fabric-vectors.json")

    /// The vector named `name` (e.g. "block"), read from the fixture file.
    static func vector(_ name: String) throws -> Vector {
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture)) as? [String: Any]
        guard let entry = (root?["vectors"] as? [String: Any])?[name] as? [String: Any],
              let message = entry["message"] as? String,
              let hex = entry["hex"] as? String,
              let expected = entry["expected"] as? [String: Any]
        else { throw VectorError.missing(name) }
        return Vector(message: message, bytes: try bytes(hex: hex), expected: expected)
    }

    /// Bytes from lowercase or uppercase hex.
    static func bytes(hex: String) throws -> [UInt8] {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { throw VectorError.badHex(hex) }
        return try stride(from: 0, to: digits.count, by: 2).map { index in
            guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16)
            else { throw VectorError.badHex(hex) }
            return byte
        }
    }

    /// Lowercase hex of `bytes`.
    static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

extension SwiftProtobuf.Message {
    /// The message's bytes with map entries in key order, as Fabric's deterministic marshalling gives.
    func deterministicBytes() throws -> [UInt8] {
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        return try serializedBytes(options: options)
    }
}
