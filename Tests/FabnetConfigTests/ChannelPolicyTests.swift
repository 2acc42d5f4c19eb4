import FabnetModel
import Foundation
import Testing
@testable import FabnetConfig

/// Channel-level policies come from the profile (aliases and merges included), then the top-level
/// sections, then configtxgen's defaults; orgs without policies get fabric-samples' ones.
@Suite struct ChannelPolicyTests {
    func load(_ yaml: String) throws -> LoadedNetwork {
        try NetworkLoader.load(text: yaml, file: "net.yaml", directory: URL(fileURLWithPath: "/tmp/fabnet-test"))
    }

    @Test func defaultNetworkHasFabricSamplesPolicies() throws {
        let channel = try #require(try NetworkLoader.load(file: nil).spec.channels.first)
        #expect(channel.policies.channel == ChannelPolicies.defaultChannel)
        #expect(channel.policies.orderer == ChannelPolicies.defaultOrderer)
        #expect(channel.policies.application["Endorsement"] == .implicitMeta("MAJORITY Endorsement"))
        #expect(channel.policies.application["LifecycleEndorsement"] == .implicitMeta("MAJORITY Endorsement"))
        #expect(channel.policies.application["Admins"] == .implicitMeta("MAJORITY Admins"))
    }

    @Test func sectionsWithoutPoliciesGetTheDefaultsQuietly() throws {
        let loaded = try load(minimalNetwork)
        let channel = try #require(loaded.spec.channels.first)
        #expect(channel.policies == ChannelPolicies.defaults)
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
    }

    @Test func orgsWithoutPoliciesGetFabricSamplesPolicies() throws {
        let spec = try load(minimalNetwork).spec
        let org1 = try #require(spec.organization(mspID: "Org1MSP"))
        #expect(org1.policies["Readers"] == .signature("OR('Org1MSP.admin', 'Org1MSP.peer', 'Org1MSP.client')"))
        #expect(org1.policies["Writers"] == .signature("OR('Org1MSP.admin', 'Org1MSP.client')"))
        #expect(org1.policies["Admins"] == .signature("OR('Org1MSP.admin')"))
        #expect(org1.policies["Endorsement"] == .signature("OR('Org1MSP.peer')"))
        let orderer = try #require(spec.organization(mspID: "OrdererMSP"))
        #expect(orderer.policies == [
            "Readers": .signature("OR('OrdererMSP.member')"), "Writers": .signature("OR('OrdererMSP.member')"),
            "Admins": .signature("OR('OrdererMSP.admin')"),
        ])
    }

    @Test func profilePoliciesAreReadPerLevel() throws {
        let yaml = minimalNetwork
            .replacingOccurrences(of: "  Chan:\n", with: """
                  Chan:
                    Policies:
                      Readers:
                        Type: ImplicitMeta
                        Rule: "ALL Readers"

                """)
            .replacingOccurrences(of: "      Organizations:\n        - *Orderer\n", with: """
                      Organizations:
                        - *Orderer
                      Policies:
                        BlockValidation:
                          Type: Signature
                          Rule: "OR('OrdererMSP.orderer')"

                """)
        let loaded = try load(yaml)
        let channel = try #require(loaded.spec.channels.first)
        #expect(channel.policies.channel == ["Readers": .implicitMeta("ALL Readers")])
        #expect(channel.policies.orderer == ["BlockValidation": .signature("OR('OrdererMSP.orderer')")])
        #expect(channel.policies.application == ChannelPolicies.defaultApplication)
    }

    @Test func applicationPoliciesWithoutEndorsementAreWarnedAndDefaulted() throws {
        let yaml = minimalNetwork.replacingOccurrences(of: "        - *Org1", with: """
                    - *Org1
                  Policies:
                    Readers:
                      Type: ImplicitMeta
                      Rule: "ANY Readers"
            """)
        let loaded = try load(yaml)
        let channel = try #require(loaded.spec.channels.first)
        #expect(channel.policies.application["Endorsement"] == .implicitMeta("MAJORITY Endorsement"))
        #expect(channel.policies.application["LifecycleEndorsement"] == .implicitMeta("MAJORITY Endorsement"))
        #expect(channel.policies.application["Writers"] == nil)
        let warning = try #require(loaded.warnings.first, "\(loaded.warnings)")
        #expect(loaded.warnings.count == 1)
        #expect(warning.message == "channel mychannel: Application has no Endorsement or LifecycleEndorsement policy, defaulting to ImplicitMeta MAJORITY Endorsement, as fabric-samples has")
        #expect(warning.key == "Profiles.Chan.Application.Policies")
    }

    @Test func testNetworkFixtureKeepsItsWrittenPolicies() throws {
        let loaded = try NetworkLoader.load(file: Fixtures.testNetworkConfigtx, cryptoConfigFiles: Fixtures.testNetworkCryptoConfigs)
        let channel = try #require(loaded.spec.channels.first)
        #expect(channel.policies.application["LifecycleEndorsement"] == .implicitMeta("MAJORITY Endorsement"))
        #expect(channel.policies.orderer["BlockValidation"] == .implicitMeta("ANY Writers"))
        #expect(channel.policies.channel["Admins"] == .implicitMeta("MAJORITY Admins"))
        #expect(!loaded.warnings.contains { $0.message.contains("Endorsement") })
    }
}
