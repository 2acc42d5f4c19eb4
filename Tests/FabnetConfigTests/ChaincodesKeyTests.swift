import FabnetConfig
import Foundation
import Testing

/// fabnet's `Chaincodes` key: what `up` deploys, checked like the rest of the description.
@Suite struct ChaincodesKeyTests {
    @Test func entriesResolveWithTheirChannelsAndDefaults() throws {
        let yaml = DefaultNetwork.configtx + """

            Chaincodes:
              - Name: basic
                Address: 127.0.0.1:9999
                Channels: [mychannel]
              - Name: secured
                Address: localhost:9443
                Channels: [mychannel]
                Version: "2.0"
                Policy: "AND('Org1MSP.peer','Org2MSP.peer')"
                ID: secured_1.0:abc
                TLSRootCert: tls/ca.pem
            """
        let spec = try NetworkLoader.load(text: yaml, file: "net.yaml", directory: URL(fileURLWithPath: "/tmp/fabnet-test")).spec
        #expect(spec.chaincodes.map(\.name) == ["basic", "secured"])
        #expect(spec.chaincodes[0].version == nil && spec.chaincodes[0].policy == nil)
        #expect(spec.chaincodes[1].version == "2.0" && spec.chaincodes[1].id == "secured_1.0:abc")
        #expect(spec.chaincodes[1].tlsRootCert == "/tmp/fabnet-test/tls/ca.pem", "resolved against the description's folder")
    }

    @Test func anUnknownChannelABadAddressAndATwiceListedNameAreErrors() {
        let yaml = DefaultNetwork.configtx + """

            Chaincodes:
              - Name: basic
                Address: nowhere
                Channels: [otherchannel]
              - Name: basic
                Address: 127.0.0.1:1
                Channels: [mychannel]
              - Name: lonely
                Address: 127.0.0.1:2
            """
        let messages = issues(of: yaml).filter { $0.severity == .error }.map(\.message)
        #expect(messages.contains { $0.contains("names channel 'otherchannel'") }, "\(messages)")
        #expect(messages.contains { $0.contains("'nowhere' is not HOST:PORT") }, "\(messages)")
        #expect(messages.contains { $0.contains("chaincode basic is listed twice") }, "\(messages)")
        #expect(messages.contains { $0.contains("a chaincode needs the channels") }, "\(messages)")
    }

    @Test func anEntryWithoutAddressDialsInAndMayNotHaveATLSRoot() throws {
        let yaml = DefaultNetwork.configtx + """

            Chaincodes:
              - Name: basic
                Channels: [mychannel]
            """
        let spec = try NetworkLoader.load(text: yaml, file: "net.yaml", directory: URL(fileURLWithPath: "/tmp/fabnet-test")).spec
        #expect(spec.chaincodes.map(\.address) == [""], "no Address: the chaincode dials the peers")
        let withRoot = DefaultNetwork.configtx + """

            Chaincodes:
              - Name: basic
                Channels: [mychannel]
                TLSRootCert: ca.pem
            """
        let messages = issues(of: withRoot).filter { $0.severity == .error }.map(\.message)
        #expect(messages.contains { $0.contains("has a TLSRootCert but no Address") }, "\(messages)")
    }
}
