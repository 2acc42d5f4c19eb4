import Foundation
import NIOCore
import SwiftProtobuf

/// A `ByteBuffer` seen as protobuf bytes, so messages decode from and encode into NIO buffers
/// without an intermediate `Data` copy.
public struct ProtobufBuffer: SwiftProtobufContiguousBytes {
    public var buffer: ByteBuffer

    public init(_ buffer: ByteBuffer) { self.buffer = buffer }

    public init(repeating: UInt8, count: Int) {
        buffer = ByteBuffer(repeating: repeating, count: count)
    }

    public init<S: Sequence>(_ sequence: S) where S.Element == UInt8 {
        buffer = ByteBuffer(bytes: sequence)
    }

    public var count: Int { buffer.readableBytes }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try buffer.withUnsafeReadableBytes(body)
    }

    public mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try buffer.withUnsafeMutableReadableBytes(body)
    }
}

extension SwiftProtobuf.Message {
    /// Decodes one frame's bytes. Malformed input becomes `FrameError.undecodable`; nested
    /// messages are limited to swift-protobuf's default depth, so a frame cannot recurse forever.
    public init(frame: ByteBuffer) throws {
        do {
            try self.init(serializedBytes: ProtobufBuffer(frame))
        } catch {
            throw FrameError.undecodable(type: Self.protoMessageName, reason: "\(error)")
        }
    }

    /// The message's bytes in a buffer, ready for `FrameEncoder`.
    public func frameBuffer() throws -> ByteBuffer {
        let bytes: ProtobufBuffer = try serializedBytes()
        return bytes.buffer
    }
}
