import Crypto
import Foundation

/// ECDSA P-256 signatures in Fabric's canonical form: DER with a low S (s ≤ n/2). Both (r, s) and
/// (r, n − s) verify, so a signature without this rule is malleable; Fabric rejects high S.
enum LowSSignature {
    /// The order n of the P-256 group, big-endian.
    static let order: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
    ]
    /// ⌊n/2⌋, big-endian.
    static let halfOrder: [UInt8] = {
        var result = [UInt8](repeating: 0, count: 32)
        var carry: UInt8 = 0
        for index in 0..<32 {
            let byte = order[index]
            result[index] = (byte >> 1) | (carry << 7)
            carry = byte & 1
        }
        return result
    }()

    static func isLow(_ s: [UInt8]) -> Bool { s == halfOrder || s.lexicographicallyPrecedes(halfOrder) }

    /// n − s for a 32-byte big-endian s.
    static func negate(_ s: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for index in stride(from: 31, through: 0, by: -1) {
            var difference = Int(order[index]) - Int(s[index]) - borrow
            borrow = difference < 0 ? 1 : 0
            if difference < 0 { difference += 256 }
            result[index] = UInt8(difference)
        }
        return result
    }

    /// The signature with S made low (unchanged when it already is).
    static func normalized(_ signature: P256.Signing.ECDSASignature) throws -> P256.Signing.ECDSASignature {
        let raw = [UInt8](signature.rawRepresentation)
        let s = Array(raw[32...])
        guard !isLow(s) else { return signature }
        return try P256.Signing.ECDSASignature(rawRepresentation: raw[..<32] + negate(s))
    }

    /// Whether a signature's S is low.
    static func hasLowS(_ signature: P256.Signing.ECDSASignature) -> Bool {
        isLow(Array([UInt8](signature.rawRepresentation)[32...]))
    }
}
