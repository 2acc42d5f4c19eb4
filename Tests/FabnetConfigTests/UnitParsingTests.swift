import FabnetModel
import Testing
@testable import FabnetConfig

/// Sizes, durations and endpoints as Fabric's files write them.
@Suite struct UnitParsingTests {
    @Test(arguments: [
        ("99 MB", 99 << 20), ("512 KB", 512 << 10), ("10MB", 10 << 20), ("1048576", 1_048_576),
        ("2 mb", 2 << 20), ("1 GiB", 1 << 30), ("7 B", 7),
    ])
    func byteSizes(_ text: String, _ bytes: Int) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test(arguments: ["", "MB", "10 XB", "-1 MB", "1.5 MB", "ten"])
    func badByteSizes(_ text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    @Test func byteSizeFormat() {
        #expect(ByteSize.format(99 << 20) == "99 MB")
        #expect(ByteSize.format(512 << 10) == "512 KB")
        #expect(ByteSize.format(1000) == "1000 B")
    }

    @Test(arguments: [
        ("2s", Duration.seconds(2)), ("1500ms", .milliseconds(1500)), ("1m30s", .seconds(90)), ("0.5s", .milliseconds(500)),
        ("1h", .seconds(3600)), ("250us", .microseconds(250)), ("0", .zero),
    ])
    func durations(_ text: String, _ duration: Duration) {
        #expect(GoDuration.parse(text) == duration)
    }

    @Test(arguments: ["", "5", "s", "2 parsecs", "1x", "ms"])
    func badDurations(_ text: String) {
        #expect(GoDuration.parse(text) == nil)
    }

    @Test func durationFormatRoundTrips() {
        for duration: Duration in [.seconds(2), .milliseconds(1500), .seconds(90), .milliseconds(250), .seconds(3725), .microseconds(3)] {
            #expect(GoDuration.parse(GoDuration.format(duration)) == duration)
        }
        #expect(GoDuration.format(.milliseconds(1500)) == "1.5s")
        #expect(GoDuration.format(.seconds(90)) == "1m30s")
    }

    @Test func endpoints() {
        #expect(Endpoint(parsing: "orderer.example.com:7050") == Endpoint(host: "orderer.example.com", port: 7050))
        #expect(Endpoint(parsing: "[::1]:7051")?.host == "::1")
        #expect(Endpoint(parsing: "host:0") == nil)
        #expect(Endpoint(parsing: "host:65536") == nil)
        #expect(Endpoint(parsing: "host") == nil)
        #expect(Endpoint(parsing: ":7050") == nil)
    }
}
