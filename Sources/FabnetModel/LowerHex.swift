extension Sequence where Element == UInt8 {
    /// The bytes as lower-case hex, two digits each, written into one buffer: hot paths name
    /// things by hex (a transaction ID per transaction, a fault-plan name per connection), and
    /// a string per byte showed in their profiles.
    public var lowerHex: String {
        let digits: StaticString = "0123456789abcdef"
        var ascii: [UInt8] = []
        ascii.reserveCapacity(underestimatedCount * 2)
        digits.withUTF8Buffer { digits in
            for byte in self {
                ascii.append(digits[Int(byte >> 4)])
                ascii.append(digits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: ascii, as: UTF8.self)
    }
}
