import Crypto
import Foundation

/// How many ECDSA P-256 signatures this machine checks (and makes) per second, through the same
/// calls the nodes use (`EnvelopeSealing.verify`: swift-crypto's BoringSSL, SHA-256 of the
/// message, DER signature, low-S check): the ceiling every throughput figure is measured against.
///
/// Guarantees: each measurement runs `tasks` concurrent loops over a 1 KB message (about a
/// transaction's payload) for `seconds` of wall time and counts only completed operations; every
/// verification checks a valid signature, so a broken verifier fails the measurement instead of
/// counting.
public enum SignatureRate {
    public struct Measurement: Sendable, Codable, Equatable {
        public let tasks: Int
        public let operations: Int
        public let seconds: Double
        public var perSecond: Double { Double(operations) / seconds }
    }

    public enum Failure: Error, CustomStringConvertible {
        case verificationFailed
        public var description: String { "a valid signature did not verify: the crypto library is broken" }
    }

    /// Verifications per second with `tasks` concurrent loops.
    public static func verify(tasks: Int, seconds: Double) async throws -> Measurement {
        let key = P256.Signing.PrivateKey()
        let message = Data((0..<1024).map { UInt8(truncatingIfNeeded: $0) })
        let signature = try LowSSignature.normalized(key.signature(for: message))
        let der = signature.derRepresentation
        let publicKey = key.publicKey
        return try await measure(tasks: tasks, seconds: seconds) {
            guard let parsed = try? P256.Signing.ECDSASignature(derRepresentation: der), LowSSignature.hasLowS(parsed),
                  publicKey.isValidSignature(parsed, for: message) else { throw Failure.verificationFailed }
        }
    }

    /// Signatures per second with `tasks` concurrent loops (low S, DER, as `SigningIdentity.sign`).
    public static func sign(tasks: Int, seconds: Double) async throws -> Measurement {
        let key = P256.Signing.PrivateKey()
        let message = Data((0..<1024).map { UInt8(truncatingIfNeeded: $0) })
        return try await measure(tasks: tasks, seconds: seconds) {
            _ = try LowSSignature.normalized(key.signature(for: message)).derRepresentation
        }
    }

    private static func measure(tasks: Int, seconds: Double, _ operation: @escaping @Sendable () throws -> Void) async throws -> Measurement {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(Int(seconds * 1000))
        let operations = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<max(1, tasks) {
                group.addTask {
                    var count = 0
                    while clock.now < deadline {
                        for _ in 0..<64 { try operation() }
                        count += 64
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        return Measurement(tasks: max(1, tasks), operations: operations, seconds: (clock.now - start).seconds)
    }
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
