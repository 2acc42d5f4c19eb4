import Crypto
import Foundation

/// The bytes Fabric hashes to name a block and signs in its metadata: the ASN.1 DER encoding of
/// `SEQUENCE { INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash }`.
///
/// Guarantees: the same bytes Fabric's `protoutil.BlockHeaderBytes` gives for any header (DER is
/// canonical: the integer is minimal two's complement, lengths are in their shortest form), so a
/// block's header hash equals the one Fabric peers and SDKs compute.
public enum BlockHeaderBytes {
    /// The DER encoding of `header`.
    public static func encode(_ header: Common_BlockHeader) -> Data {
        var body = Data()
        body.append(contentsOf: DER.tagged(0x02, DER.integer(header.number)))
        body.append(contentsOf: DER.tagged(0x04, [UInt8](header.previousHash)))
        body.append(contentsOf: DER.tagged(0x04, [UInt8](header.dataHash)))
        return Data(DER.tagged(0x30, [UInt8](body)))
    }

    /// SHA-256 of `encode(header)`: the block's hash, which the next block names as its
    /// `previous_hash`.
    public static func hash(_ header: Common_BlockHeader) -> Data {
        Data(SHA256.hash(data: encode(header)))
    }
}

/// The few DER rules the header needs. Kept by hand (a dozen lines) rather than pulling an ASN.1
/// library into the wire target: the structure is fixed and checked against Fabric's bytes in
/// FabricWireTests.
enum DER {
    static func tagged(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        [tag] + length(content.count) + content
    }

    static func length(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var rest = count
        while rest > 0 {
            bytes.insert(UInt8(rest & 0xFF), at: 0)
            rest >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    /// Minimal two's complement of a non-negative integer (a leading 0 when the top bit is set).
    static func integer(_ value: UInt64) -> [UInt8] {
        var bytes = withUnsafeBytes(of: value.bigEndian, Array.init)
        while bytes.count > 1, bytes[0] == 0 { bytes.removeFirst() }
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return bytes
    }
}
