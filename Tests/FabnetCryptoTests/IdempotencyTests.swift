import FabnetConfig
import FabnetCrypto
import Foundation
import Testing

/// A second run keeps everything; a new node gets only its own identity from the existing CA;
/// --force makes everything anew; broken material is replaced or refused, never silently mixed.
@Suite struct IdempotencyTests {
    func contents(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    @Test func secondRunKeepsEverything() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let spec = try Networks.defaultSpec()
        let generator = CryptoMaterialGenerator(output: scratch.url)
        _ = try generator.generate(spec)
        let layout = CryptoLayout(root: scratch.url)
        let files = IdentityFiles.all(spec, layout: layout).flatMap { [$0.signKey, $0.signCertificate, $0.tlsKey, $0.tlsCertificate] }
        let before = try files.map(contents)
        let report = try generator.generate(spec)
        #expect(report.createdAuthorities.isEmpty && report.createdIdentities.isEmpty && report.replacedIdentities.isEmpty)
        #expect(report.keptAuthorities.count == 6)
        #expect(report.keptIdentities.count == 10)
        #expect(try files.map(contents) == before)
    }

    @Test func addedPeerGetsOnlyItsOwnIdentityFromTheExistingCA() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        _ = try CryptoMaterialGenerator(output: scratch.url).generate(try Networks.defaultSpec())
        let org = scratch.url.appendingPathComponent("peerOrganizations/org1.example.com")
        let caBefore = try contents(org.appendingPathComponent("ca/ca.org1.example.com-cert.pem"))
        let peer0Before = try contents(org.appendingPathComponent("peers/peer0.org1.example.com/tls/server.crt"))

        let report = try CryptoMaterialGenerator(output: scratch.url).generate(try Networks.withThreePeersInOrg1())
        #expect(report.createdIdentities == ["peer2.org1.example.com"])
        #expect(report.createdAuthorities.isEmpty)
        #expect(try contents(org.appendingPathComponent("ca/ca.org1.example.com-cert.pem")) == caBefore)
        #expect(try contents(org.appendingPathComponent("peers/peer0.org1.example.com/tls/server.crt")) == peer0Before)
        let newPeer = org.appendingPathComponent("peers/peer2.org1.example.com")
        #expect(try OpenSSLTool.verifies(newPeer.appendingPathComponent("msp/signcerts/peer2.org1.example.com-cert.pem"),
                                         root: org.appendingPathComponent("ca/ca.org1.example.com-cert.pem")))
        #expect(try OpenSSLTool.verifies(newPeer.appendingPathComponent("tls/server.crt"),
                                         root: org.appendingPathComponent("tlsca/tlsca.org1.example.com-cert.pem")))
    }

    /// The default network's material, made in a new scratch folder, and its first peer org.
    func defaultMaterial() throws -> (ScratchDirectory, NetworkSpec, CryptoLayout, OrganizationSpec) {
        let scratch = try ScratchDirectory()
        do {
            let spec = try Networks.defaultSpec()
            _ = try CryptoMaterialGenerator(output: scratch.url).generate(spec)
            let org = try #require(spec.organizations.first { !$0.peers.isEmpty })
            return (scratch, spec, CryptoLayout(root: scratch.url), org)
        } catch {
            scratch.remove()
            throw error
        }
    }

    /// A node home links the material (no copy); material made anew later replaces the files
    /// (new inodes), so a home keeps exactly what it had until `up` installs it again.
    @Test func aHomeKeepsItsMaterialWhenTheMaterialIsMadeAnew() throws {
        let (scratch, spec, layout, org) = try defaultMaterial()
        defer { scratch.remove() }
        let home = scratch.url.appendingPathComponent("home")
        try NodeHomeFiles.install(nodeDirectory: layout.nodeDirectory(org.peers[0], in: org), into: home,
                                  organizationMSPs: spec.organizations.map { ($0.mspID, layout.organizationMSPDirectory($0)) })
        let installed = home.appendingPathComponent("tls/server.crt")
        let source = layout.nodeDirectory(org.peers[0], in: org).appendingPathComponent("tls/server.crt")
        let before = try contents(installed)
        #expect(before == (try contents(source)))
        #expect(FileManager.default.fileExists(atPath: home.appendingPathComponent("orgs/\(org.mspID)/msp/cacerts").path))
        _ = try CryptoMaterialGenerator(output: scratch.url).generate(spec, force: true)
        #expect(try contents(source) != before, "made anew")
        #expect(try contents(installed) == before, "the home's file changed with the material")
    }

    /// Homes of one network link `orgs` to one snapshot of the orgs' MSPs: it reads as the
    /// home's own tree did, keeps its material when the material is made anew, and removing a
    /// home (or installing it again without the snapshot) leaves the snapshot and the material.
    @Test func homesShareOneSnapshotOfTheOrganizations() throws {
        let (scratch, spec, layout, org) = try defaultMaterial()
        defer { scratch.remove() }
        let msps = spec.organizations.map { ($0.mspID, layout.organizationMSPDirectory($0)) }
        let state = scratch.url.appendingPathComponent("state")
        let shared = state.appendingPathComponent("orgs")
        try NodeHomeFiles.installOrganizations(msps, into: shared)
        let homes = (0..<2).map { state.appendingPathComponent("nodes/peer\($0)") }
        for (index, home) in homes.enumerated() {
            try NodeHomeFiles.install(nodeDirectory: layout.nodeDirectory(org.peers[index], in: org), into: home,
                                      organizationMSPs: msps, sharedOrganizations: shared)
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: homes[0].appendingPathComponent("orgs").path) == "../../orgs")
        let cacerts = "orgs/\(org.mspID)/msp/cacerts"
        let source = layout.organizationMSPDirectory(org).appendingPathComponent("cacerts")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: source.path).first)
        let before = try contents(source.appendingPathComponent(name))
        #expect(try contents(homes[1].appendingPathComponent("\(cacerts)/\(name)")) == before)
        _ = try CryptoMaterialGenerator(output: scratch.url).generate(spec, force: true)
        #expect(try contents(homes[1].appendingPathComponent("\(cacerts)/\(name)")) == before, "the snapshot changed with the material")
        try FileManager.default.removeItem(at: homes[0])
        #expect(FileManager.default.fileExists(atPath: homes[1].appendingPathComponent(cacerts).path))
        // Installed again with trees of its own: the link goes, the snapshot stays.
        try NodeHomeFiles.install(nodeDirectory: layout.nodeDirectory(org.peers[1], in: org), into: homes[1], organizationMSPs: msps)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: homes[1].appendingPathComponent("orgs").path)) == nil)
        #expect(FileManager.default.fileExists(atPath: homes[1].appendingPathComponent(cacerts).path))
        #expect(FileManager.default.fileExists(atPath: shared.appendingPathComponent("\(org.mspID)/msp/cacerts/\(name)").path))
        #expect(FileManager.default.fileExists(atPath: source.path))
    }

    @Test func forceMakesEverythingAnew() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let spec = try Networks.defaultSpec()
        _ = try CryptoMaterialGenerator(output: scratch.url).generate(spec)
        let ca = scratch.url.appendingPathComponent("peerOrganizations/org1.example.com/ca/ca.org1.example.com-cert.pem")
        let before = try contents(ca)
        let report = try CryptoMaterialGenerator(output: scratch.url).generate(spec, force: true)
        #expect(report.createdAuthorities.count == 6)
        #expect(report.createdIdentities.count == 10)
        #expect(try contents(ca) != before)
    }

    @Test func incompleteIdentityIsReplaced() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let spec = try Networks.defaultSpec()
        _ = try CryptoMaterialGenerator(output: scratch.url).generate(spec)
        let peer = scratch.url.appendingPathComponent("peerOrganizations/org2.example.com/peers/peer1.org2.example.com")
        try FileManager.default.removeItem(at: peer.appendingPathComponent("tls/server.key"))
        let report = try CryptoMaterialGenerator(output: scratch.url).generate(spec)
        #expect(report.replacedIdentities == ["peer1.org2.example.com"])
        #expect(report.keptIdentities.count == 9)
    }

    @Test func mismatchedCAIsRefusedWithAFix() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let spec = try Networks.defaultSpec()
        _ = try CryptoMaterialGenerator(output: scratch.url).generate(spec)
        let org = scratch.url.appendingPathComponent("peerOrganizations/org1.example.com")
        // Put the TLS CA's key where the signing CA's key belongs.
        try FileManager.default.removeItem(at: org.appendingPathComponent("ca/priv_sk"))
        try FileManager.default.copyItem(at: org.appendingPathComponent("tlsca/priv_sk"), to: org.appendingPathComponent("ca/priv_sk"))
        let error = try #require(throws: CryptoGenerationError.self) {
            try CryptoMaterialGenerator(output: scratch.url).generate(spec)
        }
        #expect(error.description.contains("does not belong to ca.org1.example.com-cert.pem"))
        #expect(error.description.contains("--force"))
    }
}
