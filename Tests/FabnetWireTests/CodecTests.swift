import Foundation
import NIOCore
import NIOEmbedded
import SwiftProtobuf
import Testing
@testable import FabnetWire

/// Messages survive a trip through frames; bad frames are refused without taking the process down.
@Suite struct CodecTests {
    /// A deliver answer carrying a block's bytes, as the orderer frames it to a peer.
    func sampleBlock(transactions: Int = 3) throws -> WirePacket {
        var packet = WirePacket()
        packet.stream = 7
        packet.deliverResponse.block = Data((0..<transactions * 40).map { UInt8(truncatingIfNeeded: $0) })
        return packet
    }

    @Test func blockRoundTripsThroughAFrame() throws {
        let block = try sampleBlock()
        var stream = ByteBuffer()
        try FrameEncoder().encode(data: try block.frameBuffer(), out: &stream)
        let frame = try #require(try FrameDecoder().decode(buffer: &stream))
        #expect(try WirePacket(frame: frame) == block)
        #expect(stream.readableBytes == 0)
    }

    @Test func gossipMessageWithEveryContentKindRoundTrips() throws {
        var aliveMessage = WireAliveMessage()
        aliveMessage.pkiID = Data(repeating: 9, count: 32)
        aliveMessage.externalEndpoint.host = "peer0.org1.example.com"
        aliveMessage.externalEndpoint.port = 7051
        aliveMessage.timestamp.incNum = 1
        aliveMessage.timestamp.seqNum = 2
        var envelope = WireEnvelope()
        envelope.payload = try aliveMessage.serializedBytes()
        envelope.secretEnvelope.payload = Data([1, 2])
        var alive = WireGossipMessage()
        alive.alive.alive = [envelope]
        var state = WireGossipMessage()
        state.channel.mac = Data(repeating: 3, count: 32)
        state.channel.stateInfoRequest.withDigest = true
        state.channel.stateInfoRequest.digest = 10
        var leadership = WireGossipMessage()
        leadership.channel.leadership.isDeclaration = true
        leadership.channel.leadership.ledgerHeight = 4
        var data = WireGossipMessage()
        data.channel.block.seqNum = 7
        data.channel.block.data = try sampleBlock().serializedBytes()
        for message in [alive, state, leadership, data] {
            var packet = WirePacket()
            packet.gossipMessage = message
            let decoded = try WirePacket(frame: try packet.frameBuffer())
            #expect(decoded.gossipMessage == message)
        }
    }

    @Test func framesSplitAcrossReadsAreReassembled() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        var stream = ByteBuffer()
        let blocks = try (1...3).map { try sampleBlock(transactions: $0) }
        for block in blocks { try FrameEncoder().encode(data: try block.frameBuffer(), out: &stream) }
        // Feed the bytes three at a time.
        while stream.readableBytes > 0 {
            let chunk = stream.readSlice(length: min(3, stream.readableBytes))!
            try channel.writeInbound(chunk)
        }
        var decoded: [WirePacket] = []
        while let frame = try channel.readInbound(as: ByteBuffer.self) { decoded.append(try WirePacket(frame: frame)) }
        #expect(decoded == blocks)
        #expect(try channel.finish().isClean)
    }

    @Test func oversizeFrameIsRefusedFromItsLengthAlone() throws {
        var stream = ByteBuffer()
        stream.writeInteger(UInt32(2048), endianness: .big)
        stream.writeBytes([1, 2, 3])
        #expect(throws: FrameError.tooLarge(size: 2048, limit: 1024)) {
            _ = try FrameDecoder(maximumFrameSize: 1024).decode(buffer: &stream)
        }
        #expect(throws: FrameError.tooLarge(size: 2000, limit: 1024)) {
            var out = ByteBuffer()
            try FrameEncoder(maximumFrameSize: 1024).encode(data: ByteBuffer(repeating: 0, count: 2000), out: &out)
        }
    }

    @Test func oversizeFrameClosesTheConnectionNotTheProcess() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maximumFrameSize: 16)))
        var stream = ByteBuffer()
        stream.writeInteger(UInt32(1 << 30), endianness: .big)
        #expect(throws: FrameError.self) { try channel.writeInbound(stream) }
        _ = try? channel.finish()
    }

    @Test func garbageIsUndecodable() throws {
        let garbage = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01])
        #expect(throws: FrameError.self) { _ = try WirePacket(frame: garbage) }
    }

    @Test func streamEndingInsideAFrameIsAnError() throws {
        var stream = ByteBuffer()
        stream.writeInteger(UInt32(10), endianness: .big)
        stream.writeBytes([1, 2, 3])
        #expect(throws: FrameError.truncated(have: 7, need: 14)) {
            _ = try FrameDecoder().decodeLast(buffer: &stream, seenEOF: true)
        }
    }
}
