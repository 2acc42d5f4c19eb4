import Foundation
import Testing
@testable import Orchestrator

/// `down --clean` removes what `up` made and nothing else.
@Suite struct CreatedPathsTests {
    func scratch() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-created-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    func write(_ text: String, _ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func filesThatExistedBeforeAreKeptAndSoAreTheirFolders() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let mine = root.appendingPathComponent("crypto-config.yaml")
        try write("PeerOrgs: []", mine)
        let before = CreatedPaths.snapshot(of: root)
        try write("key", root.appendingPathComponent("peerOrganizations/org1/msp/keystore/key.pem"))
        try write("cert", root.appendingPathComponent("peerOrganizations/org1/msp/signcerts/cert.pem"))
        var created = CreatedPaths()
        created.add(before: before, after: CreatedPaths.snapshot(of: root))
        #expect(!created.directories.contains(root.standardizedFileURL.path))
        let removal = created.remove()
        #expect(FileManager.default.fileExists(atPath: mine.path))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("peerOrganizations").path))
        #expect(removal.kept.isEmpty)
    }

    @Test func aFolderFabnetMadeThatNowHoldsAForeignFileIsKeptAndNamed() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let before = CreatedPaths.snapshot(of: root)
        try write("cert", root.appendingPathComponent("ordererOrganizations/example.com/ca/ca.pem"))
        var created = CreatedPaths()
        created.add(before: before, after: CreatedPaths.snapshot(of: root))
        let foreign = root.appendingPathComponent("ordererOrganizations/example.com/notes.txt")
        try write("my notes", foreign)
        let removal = created.remove()
        #expect(FileManager.default.fileExists(atPath: foreign.path))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("ordererOrganizations/example.com/ca").path))
        #expect(removal.kept == [root.appendingPathComponent("ordererOrganizations/example.com").standardizedFileURL.path])
    }

    @Test func treesGoWithEverythingInThem() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let nodes = root.appendingPathComponent("nodes")
        var created = CreatedPaths()
        created.addTree(nodes, existedBefore: false)
        try write("ledger", nodes.appendingPathComponent("peer0/ledger/mychannel/blocks"))
        _ = created.remove()
        #expect(!FileManager.default.fileExists(atPath: nodes.path))
        #expect(FileManager.default.fileExists(atPath: root.path))
    }
}
