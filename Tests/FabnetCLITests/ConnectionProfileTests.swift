import FabnetConfig
import FabnetCrypto
import FabnetTestKit
import Foundation
import Testing
import Yams

/// The connection profiles `fabnet up` writes under `<state>/profiles/`: test-network's shape,
/// fabnet's real ports and TLS CA, the same content in JSON and YAML, and nothing of the user's
/// touched.
@Suite struct ConnectionProfileTests {
    func object(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func everyPeerOrgGetsAProfileWithItsPeersPortsAndTLSCA() throws {
        let prepared = try PreparedState()
        defer { prepared.remove() }
        let profiles = ConnectionProfiles(state: prepared.state)
        let layout = CryptoLayout(root: prepared.crypto)
        for (org, stem, key) in [("Org1MSP", "org1", "Org1"), ("Org2MSP", "org2", "Org2")] {
            let spec = try #require(prepared.spec.organization(mspID: org))
            let profile = try object(Data(contentsOf: profiles.file(stem: stem, extension: "json")))
            #expect(profile["name"] as? String == "fabnet-\(stem)")
            #expect(profile["version"] as? String == "1.0.0")
            let client = try #require(profile["client"] as? [String: Any])
            #expect(client["organization"] as? String == key)
            let timeout = (client["connection"] as? [String: Any])?["timeout"] as? [String: Any]
            #expect((timeout?["peer"] as? [String: Any])?["endorser"] as? String == "300")
            let organizations = try #require(profile["organizations"] as? [String: Any])
            #expect(Array(organizations.keys) == [key])
            let entry = try #require(organizations[key] as? [String: Any])
            #expect(entry["mspid"] as? String == org)
            #expect(entry["peers"] as? [String] == spec.peers.map(\.commonName), "every peer of the org, in order")
            #expect(entry["certificateAuthorities"] == nil, "fabnet runs no CA server")
            let pem = try String(contentsOf: layout.tlsCADirectory(spec).appendingPathComponent(layout.tlsCACertificateName(spec)), encoding: .utf8)
            let peers = try #require(profile["peers"] as? [String: [String: Any]])
            #expect(Set(peers.keys) == Set(spec.peers.map(\.commonName)))
            for peer in spec.peers {
                let node = try #require(prepared.manifest.nodes.first { $0.name == peer.commonName })
                let described = try #require(peers[peer.commonName])
                #expect(described["url"] as? String == "grpcs://localhost:\(node.grpcPort!)")
                #expect((described["tlsCACerts"] as? [String: Any])?["pem"] as? String == pem)
                let options = try #require(described["grpcOptions"] as? [String: String])
                #expect(options == ["ssl-target-name-override": peer.commonName, "hostnameOverride": peer.commonName])
            }
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: profiles.directory.path).sorted()
        #expect(names == ["connection-org1.json", "connection-org1.yaml", "connection-org2.json", "connection-org2.yaml"],
                "none for the orderer org, which runs no peers")
    }

    @Test func theYAMLProfileHoldsWhatTheJSONOneHolds() throws {
        let prepared = try PreparedState()
        defer { prepared.remove() }
        let profiles = ConnectionProfiles(state: prepared.state)
        for stem in ["org1", "org2"] {
            let json = try Data(contentsOf: profiles.file(stem: stem, extension: "json"))
            let yaml = try String(contentsOf: profiles.file(stem: stem, extension: "yaml"), encoding: .utf8)
            let fromJSON = try JSONDecoder().decode(ConnectionProfile.self, from: json)
            let fromYAML = try YAMLDecoder().decode(ConnectionProfile.self, from: yaml)
            #expect(fromYAML == fromJSON)
            // Untyped, as an SDK reads it: the timeout stays a string, the PEM a block of lines.
            let loaded = try #require(try Yams.load(yaml: yaml) as? [String: Any])
            let client = try #require(loaded["client"] as? [String: Any])
            let peer = ((client["connection"] as? [String: Any])?["timeout"] as? [String: Any])?["peer"] as? [String: Any]
            #expect(peer?["endorser"] as? String == "300")
            #expect(yaml.contains("pem: |"))
        }
    }

    @Test func writingAgainReplacesOnlyTheProfilesAndRecordsOnlyThem() throws {
        let prepared = try PreparedState()
        defer { prepared.remove() }
        let profiles = ConnectionProfiles(state: prepared.state)
        let mine = profiles.directory.appendingPathComponent("my-notes.txt")
        try "mine".write(to: mine, atomically: true, encoding: .utf8)
        let stale = profiles.file(stem: "org1", extension: "json")
        try "{}".write(to: stale, atomically: true, encoding: .utf8)
        var created: CreatedPaths? = CreatedPaths()
        let written = try profiles.write(spec: prepared.spec, manifest: prepared.manifest, layout: CryptoLayout(root: prepared.crypto), created: &created)
        #expect(written.count == 4)
        #expect(try String(contentsOf: mine, encoding: .utf8) == "mine")
        #expect(try JSONDecoder().decode(ConnectionProfile.self, from: Data(contentsOf: stale)).client.organization == "Org1")
        // The files existed before this write (the first one made them): nothing new to record,
        // and never the user's file.
        #expect(created?.files.contains(mine.standardizedFileURL.path) == false)
        // A fresh folder: the folder and the four files are recorded, and `remove` leaves the
        // folder when the user's file is in it.
        try FileManager.default.removeItem(at: profiles.directory)
        var fresh: CreatedPaths? = CreatedPaths()
        try profiles.write(spec: prepared.spec, manifest: prepared.manifest, layout: CryptoLayout(root: prepared.crypto), created: &fresh)
        #expect(Set(fresh?.files ?? []) == Set(written.map(\.standardizedFileURL.path)))
        #expect(fresh?.directories == [profiles.directory.standardizedFileURL.path])
        try "mine".write(to: mine, atomically: true, encoding: .utf8)
        let removal = try #require(fresh).remove()
        #expect(FileManager.default.fileExists(atPath: mine.path))
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(removal.kept == [profiles.directory.standardizedFileURL.path])
    }

    @Test func orgsSharingTheirDomainsFirstLabelAreNamedByTheirWholeDomain() throws {
        var spec = try NetworkLoader.load(file: nil, cryptoConfigFiles: [], discoverCryptoConfig: false).spec
        let second = try #require(spec.organizations.firstIndex { $0.mspID == "Org2MSP" })
        spec.organizations[second].domain = "org1.other.example"
        let naming = ProfileNaming(spec: spec)
        #expect(spec.organizations.filter { !$0.peers.isEmpty }.map(naming.fileStem) == ["org1-example-com", "org1-other-example"])
        #expect(naming.organizationKey(of: spec.organizations[second]) == "Org1-other-example")
    }
}
