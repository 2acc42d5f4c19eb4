import Crypto
import Foundation
import SwiftProtobuf

/// How Fabric commits a block header to its transactions, and the check that makes that safe.
///
/// Fabric's data hash is SHA-256 of the plain concatenation of the entries, so two different
/// entry lists with the same concatenation would share a hash (CVE-2023-46132). Fabric closes
/// that by requiring every entry to be a well-formed Envelope whose canonical encoding is exactly
/// its bytes; `wellFormedProblem` is that rule. A block passes both or is refused.
///
/// Guarantees: `dataHash` equals Fabric's `protoutil.BlockDataHash`; `wellFormedProblem` returns
/// `nil` exactly when every entry decodes as an Envelope with a payload and a signature and
/// re-encodes to the same bytes (a config block of one entry is exempt, as in Fabric).
public enum BlockDataRules {
    /// SHA-256 of the entries, concatenated.
    public static func dataHash(_ entries: [Data]) -> Data {
        var hasher = SHA256()
        for entry in entries { hasher.update(data: entry) }
        return Data(hasher.finalize())
    }

    /// Why the entries are not well formed, or `nil` when they are.
    public static func wellFormedProblem(_ entries: [Data]) -> String? {
        guard !entries.isEmpty else { return "the block has no transactions" }
        if entries.count == 1, isConfigEnvelope(entries[0]) { return nil }
        for (index, entry) in entries.enumerated() {
            guard let envelope = try? Common_Envelope(serializedBytes: entry) else {
                return "transaction \(index) is not an Envelope"
            }
            if envelope.payload.isEmpty { return "transaction \(index) has no payload" }
            if envelope.signature.isEmpty { return "transaction \(index) has no signature" }
            guard let canonical = try? envelope.serializedBytes() as Data else { return "transaction \(index) does not re-encode" }
            if canonical.count < entry.count { return "transaction \(index) has \(entry.count - canonical.count) trailing bytes" }
            if canonical != entry { return "transaction \(index) is not canonically encoded" }
        }
        return nil
    }

    /// Whether `entry` is an envelope whose channel header says CONFIG.
    static func isConfigEnvelope(_ entry: Data) -> Bool {
        guard let envelope = try? Common_Envelope(serializedBytes: entry),
              let payload = try? Common_Payload(serializedBytes: envelope.payload),
              let header = try? Common_ChannelHeader(serializedBytes: payload.header.channelHeader) else { return false }
        return header.type == Int32(Common_HeaderType.config.rawValue)
    }
}
