import FabricWire
import Foundation
import FuzzTargets
import Testing

/// The fuzz targets' plain entry points: every committed corpus input (each once found a bug,
/// fixed since) runs through its target again, as do an empty input and a valid one per target,
/// so a bug that comes back fails here in CI, without the instrumented build.
@Suite(.serialized) struct FuzzCorpusTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let corpus = repository.appendingPathComponent("Fuzz/corpus")

    @Test func everyCommittedCorpusInputRunsThroughItsTarget() async throws {
        for target in FuzzTargets.all {
            // Every folder exists, so a target renamed without its corpus is noticed.
            let folder = Self.corpus.appendingPathComponent(target.name)
            #expect(FileManager.default.fileExists(atPath: folder.path), "\(target.name) has no corpus folder")
            let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
            for file in files.sorted(by: { $0.path < $1.path }) where !file.lastPathComponent.hasPrefix(".") {
                _ = await target.run([UInt8](try Data(contentsOf: file)))
            }
        }
        #expect(FuzzTargets.all.count == 7)
    }

    @Test func everyTargetTakesAnEmptyInputAndReadsAValidOne() async throws {
        var block = Common_Block()
        block.header.number = 1
        block.data.data = [Data([0x0A, 0x00])]
        let configtx = try String(contentsOf: Self.repository.appendingPathComponent("configtx/configtx.yaml"), encoding: .utf8)
        // Inputs each target reads past its first decoding.
        let valid: [String: [UInt8]] = [
            "frame-decoder": [0, 0, 0, 2, 0x08, 0x01],
            "config-loader": Array(configtx.utf8),
            "validation": try block.serializedBytes(),
        ]
        for target in FuzzTargets.all {
            _ = await target.run([])
            if let input = valid[target.name] {
                #expect(await target.run(input), "\(target.name) did not read a valid input")
            } else {
                _ = await target.run([0x0A, 0x02, 0x08, 0x01])
            }
        }
        FuzzTargets.removeScratch()
    }

    @Test func everySeedIsReadAsValid() async throws {
        // Seeds come from a real ledger (Fuzz/seeds/): each target must read them past its first decoding.
        var seeds = 0
        for target in FuzzTargets.all {
            let folder = Self.repository.appendingPathComponent("Fuzz/seeds/\(target.name)")
            for file in (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [] {
                #expect(await target.run([UInt8](try Data(contentsOf: file))), "\(target.name) did not read its seed \(file.lastPathComponent)")
                seeds += 1
            }
        }
        #expect(seeds >= 9)
        FuzzTargets.removeScratch()
    }
}
