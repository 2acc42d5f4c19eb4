import FabnetClient
import FabnetConfig
import FabricWire
import Foundation
import FuzzTargets
import Testing

/// The fuzz targets' plain entry points: every committed corpus input (each once found a bug,
/// fixed since) runs through its target again, as do an empty input and a valid one per target,
/// so a bug that comes back fails here in CI, without the instrumented build.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus")

    @Test func everyCommittedCorpusInputRunsThroughItsTarget() throws {
        var replayed = 0
        for target in FuzzTargets.all {
            let folder = Self.corpus.appendingPathComponent(target.name)
            let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
            for file in files.sorted(by: { $0.path < $1.path }) where !file.lastPathComponent.hasPrefix(".") {
                target.run([UInt8](try Data(contentsOf: file)))
                replayed += 1
            }
        }
        // Every folder exists, so a target renamed without its corpus is noticed.
        for target in FuzzTargets.all {
            #expect(FileManager.default.fileExists(atPath: Self.corpus.appendingPathComponent(target.name).path), "\(target.name) has no corpus folder")
        }
        #expect(FuzzTargets.all.count == 7)
        _ = replayed
    }

    @Test func everyTargetTakesAnEmptyAndAValidInput() throws {
        var block = Common_Block()
        block.header.number = 1
        block.data.data = [Data([0x0A, 0x00])]
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let configtx = try String(contentsOf: repository.appendingPathComponent("configtx/configtx.yaml"), encoding: .utf8)
        let samples: [String: [UInt8]] = [
            "frame-decoder": [0, 0, 0, 2, 0x08, 0x01],
            "block-file": [],
            "config-loader": Array(configtx.utf8),
            "validation": try block.serializedBytes(),
            "config-block": try block.serializedBytes(),
        ]
        for target in FuzzTargets.all {
            target.run([])
            target.run(samples[target.name] ?? [0x0A, 0x02, 0x08, 0x01])
        }
    }
}
