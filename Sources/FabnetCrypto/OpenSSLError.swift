import COpenSSL

/// A libcrypto call that failed: which operation, and OpenSSL's own error queue text.
public struct OpenSSLError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let details: [String]

    /// Captures (and clears) the thread's OpenSSL error queue.
    init(_ operation: String) {
        var details: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            details.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        self.operation = operation
        self.details = details
    }

    public var description: String {
        details.isEmpty ? "OpenSSL: \(operation) failed" : "OpenSSL: \(operation) failed: \(details.joined(separator: "; "))"
    }
}

/// Throws `OpenSSLError` unless a libcrypto status code means success (1, or > 0).
@inline(__always)
func check(_ status: Int32, _ operation: @autoclosure () -> String) throws {
    if status <= 0 { throw OpenSSLError(operation()) }
}

/// Unwraps a pointer a libcrypto call returned, or throws `OpenSSLError`.
@inline(__always)
@discardableResult
func checkNotNil<T>(_ value: T?, _ operation: @autoclosure () -> String) throws -> T {
    guard let value else { throw OpenSSLError(operation()) }
    return value
}

/// A memory BIO's contents as text.
func readAll(_ bio: OpaquePointer) -> String {
    let pending = Int(BIO_ctrl_pending(bio))
    var buffer = [UInt8](repeating: 0, count: pending)
    let read = buffer.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32(pending)) }
    return String(decoding: buffer.prefix(max(0, Int(read))), as: UTF8.self)
}

/// Runs `body` with a read-only memory BIO over `text`.
func withMemoryBIO<T>(_ text: String, _ body: (OpaquePointer) throws -> T) throws -> T {
    var bytes = Array(text.utf8)
    return try bytes.withUnsafeMutableBytes { buffer in
        let bio = try checkNotNil(BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)), "BIO_new_mem_buf")
        defer { BIO_free(bio) }
        return try body(bio)
    }
}

/// Runs `body` with an empty writable memory BIO and returns what it wrote.
func writingToMemoryBIO(_ body: (OpaquePointer) throws -> Void) throws -> String {
    let bio = try checkNotNil(BIO_new(BIO_s_mem()), "BIO_new")
    defer { BIO_free(bio) }
    try body(bio)
    return readAll(bio)
}
