import FabnetClient
import FabnetConfig
import FabnetCrypto
import FabricPolicy
import FabricWire
import Foundation
import SwiftProtobuf
import Testing

/// Block 0's configuration for the embedded default network, built from fresh crypto material,
/// reads back with `ChannelConfigView` and evaluates policies as Fabric would.
///
/// Set `FABNET_CONFIG_ENVELOPE_OUT=<file>` to have `writesTheEnvelopeForThePythonCheck` leave the
/// config envelope there for `Tests/fabric/check_config_block.py` (`make fabric-config-check`).
@Suite struct ChannelConfigBuilderTests {
    struct Fixture {
        let root: URL
        let spec: NetworkSpec
        let layout: CryptoLayout
        let config: Common_Config
        let view: ChannelConfigView

        init(yaml: String = DefaultNetwork.configtx, name: String = #function) throws {
            root = FileManager.default.temporaryDirectory
                .appendingPathComponent("fabnet-config-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))")
            spec = try NetworkLoader.load(text: yaml, file: "test.yaml", directory: root).spec
            layout = CryptoLayout(root: root.appendingPathComponent("crypto"))
            _ = try CryptoMaterialGenerator(output: layout.root).generate(spec)
            config = try ChannelConfigBuilder.config(of: spec.channels[0], in: spec, layout: layout)
            view = try ChannelConfigView(config: config, channelID: spec.channels[0].name)
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    @Test func theTreeIsWhatConfigtxgenWrites() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let channel = fixture.config.channelGroup
        #expect(Set(channel.groups.keys) == ["Orderer", "Application"])
        #expect(Set(channel.values.keys) == ["HashingAlgorithm", "BlockDataHashingStructure", "OrdererAddresses", "Capabilities"])
        #expect(try Common_HashingAlgorithm(serializedBytes: channel.values["HashingAlgorithm"]!.value).name == "SHA256")
        #expect(try Common_BlockDataHashingStructure(serializedBytes: channel.values["BlockDataHashingStructure"]!.value).width == 4_294_967_295)
        #expect(channel.values["OrdererAddresses"]?.modPolicy == "/Channel/Orderer/Admins")
        #expect(Set(channel.policies.keys) == ["Readers", "Writers", "Admins"])
        let orderer = try #require(channel.groups["Orderer"])
        #expect(Set(orderer.values.keys) == ["ConsensusType", "BatchSize", "BatchTimeout", "ChannelRestrictions", "Capabilities"])
        #expect(orderer.values["ChannelRestrictions"]?.value.isEmpty == true)
        let consensus = try Orderer_ConsensusType(serializedBytes: orderer.values["ConsensusType"]!.value)
        #expect(consensus.type == "etcdraft")
        #expect(consensus.state == .normal)
        // etcdraft.ConfigMetadata{consenters: [{host, port, client cert, server cert}], options}: the
        // consenter's host is in it, and its TLS certificate twice.
        let metadata = String(decoding: consensus.metadata, as: UTF8.self)
        #expect(metadata.contains("orderer.example.com"))
        #expect(metadata.components(separatedBy: "-----BEGIN CERTIFICATE-----").count == 3)
        #expect(metadata.contains("500ms"))
        #expect(Set(orderer.policies.keys) == ["Readers", "Writers", "Admins", "BlockValidation"])
        #expect(Set(orderer.groups.keys) == ["OrdererOrg"])
        let application = try #require(channel.groups["Application"])
        #expect(Set(application.groups.keys) == ["Org1MSP", "Org2MSP"])
        #expect(Set(application.policies.keys) == ["Readers", "Writers", "Admins", "Endorsement", "LifecycleEndorsement"])
        let org1 = try #require(application.groups["Org1MSP"])
        #expect(Set(org1.values.keys) == ["MSP", "AnchorPeers"])
        #expect(Set(org1.policies.keys) == ["Readers", "Writers", "Admins", "Endorsement"])
        // mod_policy Admins on every group, value and policy but OrdererAddresses.
        func modPolicies(_ group: Common_ConfigGroup) -> [String] {
            [group.modPolicy] + group.values.filter { $0.key != "OrdererAddresses" }.map(\.value.modPolicy)
                + group.policies.values.map(\.modPolicy) + group.groups.values.flatMap(modPolicies)
        }
        #expect(Set(modPolicies(channel)) == ["Admins"])
        #expect(fixture.config.sequence == 0)
    }

    @Test func theViewReadsItBack() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let view = fixture.view
        #expect(view.channelID == "mychannel")
        #expect(view.consensusType == "etcdraft")
        #expect(view.batchTimeout == .milliseconds(250))
        #expect(view.batchTimeoutText == "250ms")
        #expect(view.batchSize == .init(maxMessageCount: 500, absoluteMaxBytes: 10 << 20, preferredMaxBytes: 2 << 20))
        #expect(view.capabilities == .init(channel: ["V2_0"], orderer: ["V2_0"], application: ["V2_5"]))
        #expect(view.ordererAddresses == ["orderer.example.com:7050"])
        #expect(view.allOrdererEndpoints == ["orderer.example.com:7050"])
        #expect(view.applicationOrgs.map(\.mspID) == ["Org1MSP", "Org2MSP"])
        #expect(view.ordererOrgs.map(\.mspID) == ["OrdererMSP"])
        #expect(view.ordererOrgs[0].groupName == "OrdererOrg")
        #expect(view.ordererOrgs[0].ordererEndpoints == ["orderer.example.com:7050"])
        let org1 = try #require(view.organization(mspID: "Org1MSP"))
        #expect(org1.anchorPeers == [.init(host: "peer0.org1.example.com", port: 7051)])
        #expect(org1.rootCertificates.count == 1)
        #expect(String(decoding: org1.rootCertificates[0], as: UTF8.self).hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(org1.tlsRootCertificates.count == 1)
        #expect(org1.tlsRootCertificates != org1.rootCertificates)
        #expect(org1.admins.isEmpty)
        #expect(org1.nodeOUs.enabled)
        #expect(org1.nodeOUs.peer == .init(organizationalUnit: "peer", certificate: org1.rootCertificates[0]))
        #expect(org1.nodeOUs.orderer?.organizationalUnit == "orderer")
        #expect(view.policies.count == 3 + 5 + 4 + 4 + 4 + 3)
        #expect(view.policies["/Channel/Application/Org2MSP/Endorsement"]?.type == 1)
        #expect(view.policies["/Channel/Orderer/BlockValidation"]?.type == 3)
    }

    @Test func policiesOfTheDefaultNetwork() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let evaluator = PolicyEvaluator(view: fixture.view)
        let org1Client = PolicySigner(mspID: "Org1MSP", roles: [.member, .client])
        let org1Peer = PolicySigner(mspID: "Org1MSP", roles: [.member, .peer])
        let org2Peer = PolicySigner(mspID: "Org2MSP", roles: [.member, .peer])
        let orderer = PolicySigner(mspID: "OrdererMSP", roles: [.member, .orderer])
        #expect(evaluator.evaluate("/Channel/Application/Writers", signers: [org1Client]).satisfied)
        #expect(!evaluator.evaluate("/Channel/Application/Writers", signers: [orderer]).satisfied)
        #expect(evaluator.evaluate("/Channel/Orderer/BlockValidation", signers: [orderer]).satisfied)
        #expect(evaluator.evaluate("/Channel/Readers", signers: [org1Peer]).satisfied)
        let one = evaluator.evaluate("/Channel/Application/Endorsement", signers: [org1Peer])
        #expect(!one.satisfied)
        #expect(one.explanation.hasPrefix("MAJORITY Endorsement at /Channel/Application: 1 of 2 satisfied (Org1MSP), 2 needed"))
        #expect(evaluator.evaluate("/Channel/Application/Endorsement", signers: [org1Peer, org2Peer]).satisfied)
        #expect(evaluator.evaluate("/Channel/Application/LifecycleEndorsement", signers: [org2Peer, org1Peer]).satisfied)
        #expect(!evaluator.evaluate("/Channel/Application/Admins", signers: [org1Client]).satisfied)
    }

    @Test func aBadOrgRuleNamesThePolicy() throws {
        let yaml = DefaultNetwork.configtx.replacingOccurrences(of: "Rule: \"OR('Org2MSP.peer')\"", with: "Rule: \"OR('Org2MSP.boss')\"")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-config-bad-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let spec = try NetworkLoader.load(text: yaml, file: "test.yaml", directory: root).spec
        let layout = CryptoLayout(root: root.appendingPathComponent("crypto"))
        _ = try CryptoMaterialGenerator(output: layout.root).generate(spec)
        let error = try #require(throws: ChannelConfigBuildError.self) {
            try ChannelConfigBuilder.config(of: spec.channels[0], in: spec, layout: layout)
        }
        #expect(error.path == "/Channel/Application/Org2MSP/Endorsement")
        #expect(error.problem.contains("unknown role 'boss'"))
    }

    @Test func theViewNamesWhatIsMissing() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        var config = fixture.config
        config.channelGroup.groups["Orderer"]!.values["BatchTimeout"] = nil
        let error = try #require(throws: ChannelConfigError.self) { try ChannelConfigView(config: config, channelID: "mychannel") }
        #expect(error.path == "/Channel/Orderer/BatchTimeout")
        config = fixture.config
        config.channelGroup.groups["Application"]!.groups["Org1MSP"]!.values["MSP"]!.value = Data([0xFF, 0xFF])
        let msp = try #require(throws: ChannelConfigError.self) { try ChannelConfigView(config: config, channelID: "mychannel") }
        #expect(msp.path == "/Channel/Application/Org1MSP/MSP")
    }

    @Test func writesTheEnvelopeForThePythonCheck() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let org = try #require(fixture.spec.organization(mspID: "Org1MSP"))
        let admin = try #require(try LocalMSP.load(directory: fixture.layout.userDirectory(org.users[0], in: org).appendingPathComponent("msp"),
                                                   mspID: org.mspID).signingIdentity)
        let now = Date(timeIntervalSince1970: 1_700_000_000.75)
        let envelope = try ConfigEnvelopeBuilder.envelope(config: fixture.config, channelID: "mychannel", creator: admin, now: now)
        #expect(!envelope.signature.isEmpty)
        let payload = try Common_Payload(serializedBytes: envelope.payload)
        let header = try Common_ChannelHeader(serializedBytes: payload.header.channelHeader)
        #expect(header.type == 1)
        #expect(header.channelID == "mychannel")
        #expect(header.epoch == 0)
        #expect(header.timestamp.seconds == 1_700_000_000 && header.timestamp.nanos == 0)
        let signatureHeader = try Common_SignatureHeader(serializedBytes: payload.header.signatureHeader)
        #expect(signatureHeader.nonce.count == 24)
        #expect(try Msp_SerializedIdentity(serializedBytes: signatureHeader.creator).mspid == "Org1MSP")
        #expect(header.txID.count == 64)
        let (channelID, config) = try ConfigEnvelopeBuilder.config(in: envelope)
        #expect(channelID == "mychannel")
        #expect(config == fixture.config)

        let unsigned = try ConfigEnvelopeBuilder.envelope(config: fixture.config, channelID: "mychannel")
        #expect(unsigned.signature.isEmpty)
        #expect(try Common_SignatureHeader(serializedBytes: Common_Payload(serializedBytes: unsigned.payload).header.signatureHeader).creator.isEmpty)

        if let path = ProcessInfo.processInfo.environment["FABNET_CONFIG_ENVELOPE_OUT"], !path.isEmpty {
            let bytes: Data = try envelope.serializedBytes()
            try bytes.write(to: URL(fileURLWithPath: path))
        }
    }
}
