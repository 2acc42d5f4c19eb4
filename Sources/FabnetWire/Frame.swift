import NIOCore

/// The framing every fabnet connection uses: a 4-byte big-endian length, then that many bytes of
/// one protobuf message.
///
/// Guarantees: a frame longer than `maximumFrameSize` is refused as soon as its length is read,
/// before any of it is buffered, so a peer cannot make us allocate more than the limit; a
/// connection that ends inside a frame is an error, not a silent truncation.
public enum Frame {
    /// Fabric's default maximum gRPC message size, 100 MB.
    public static let defaultMaximumSize = 100 * 1024 * 1024
    public static let headerSize = 4
}

/// Why a frame was refused. The connection that sent it is closed; the process goes on.
public enum FrameError: Error, Equatable, CustomStringConvertible {
    case tooLarge(size: Int, limit: Int)
    case truncated(have: Int, need: Int)
    case undecodable(type: String, reason: String)

    public var description: String {
        switch self {
        case let .tooLarge(size, limit): return "frame of \(size) bytes exceeds the limit of \(limit) bytes"
        case let .truncated(have, need): return "connection closed inside a frame (\(have) of \(need) bytes)"
        case let .undecodable(type, reason): return "frame is not a valid \(type): \(reason)"
        }
    }
}

/// Splits a byte stream into frames (each a slice holding one message's bytes).
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    public let maximumFrameSize: Int

    public init(maximumFrameSize: Int = Frame.defaultMaximumSize) {
        self.maximumFrameSize = maximumFrameSize
    }

    public func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else { return nil }
        let size = Int(length)
        guard size <= maximumFrameSize else { throw FrameError.tooLarge(size: size, limit: maximumFrameSize) }
        guard buffer.readableBytes >= Frame.headerSize + size else { return nil }
        buffer.moveReaderIndex(forwardBy: Frame.headerSize)
        return buffer.readSlice(length: size)
    }

    public func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        if let frame = try decode(buffer: &buffer) { return frame }
        if buffer.readableBytes > 0 {
            let need = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self).map { Int($0) + Frame.headerSize }
            throw FrameError.truncated(have: buffer.readableBytes, need: need ?? Frame.headerSize)
        }
        return nil
    }
}

/// Writes each outbound buffer as one frame.
public struct FrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = ByteBuffer

    public let maximumFrameSize: Int

    public init(maximumFrameSize: Int = Frame.defaultMaximumSize) {
        self.maximumFrameSize = maximumFrameSize
    }

    public func encode(data: ByteBuffer, out: inout ByteBuffer) throws {
        guard data.readableBytes <= maximumFrameSize else {
            throw FrameError.tooLarge(size: data.readableBytes, limit: maximumFrameSize)
        }
        out.writeInteger(UInt32(data.readableBytes), endianness: .big)
        out.writeImmutableBuffer(data)
    }
}
