import FabnetModel
import FabnetConfig

/// Human-readable renderings of a resolved network and of gossip settings.
enum TopologyReport {
    static func render(_ spec: NetworkSpec) -> String {
        var lines = ["network: \(spec.source)", "orderer type: \(spec.orderer.type)", ""]
        var rows = [["ORG", "MSP ID", "DOMAIN", "NODE", "ROLE", "PORT", "ANCHOR"]]
        for org in spec.organizations {
            for node in org.nodes {
                let anchor = org.anchorPeers.contains(node.endpoint) ? "yes" : ""
                rows.append([org.name, org.mspID, org.domain, node.commonName, node.role.rawValue, String(node.port), anchor])
            }
        }
        lines.append(Console.table(rows))
        lines.append("")
        var users = [["ORG", "USERS", "NODEOUS"]]
        for org in spec.organizations {
            users.append([org.mspID, org.users.map(\.commonName).joined(separator: ", "), org.enableNodeOUs ? "on" : "off"])
        }
        lines.append(Console.table(users))
        lines.append("")
        var channels = [["CHANNEL", "PROFILE", "MEMBERS", "ORDERER ORGS", "BATCH (timeout / max messages / preferred / absolute)"]]
        for channel in spec.channels {
            let batch = channel.batch
            channels.append([
                channel.name, channel.profile, channel.memberOrgs.joined(separator: ", "), channel.ordererOrgs.joined(separator: ", "),
                "\(GoDuration.format(batch.batchTimeout)) / \(batch.maxMessageCount) / \(ByteSize.format(batch.preferredMaxBytes)) / \(ByteSize.format(batch.absoluteMaxBytes))",
            ])
        }
        lines.append(Console.table(channels))
        return lines.joined(separator: "\n")
    }

    static func render(_ resolved: ResolvedGossipSettings) -> String {
        var rows = [["GOSSIP KEY (peer.gossip.)", "VALUE", "SOURCE", "FABRIC DEFAULT"]]
        for key in GossipSettings.keys {
            let value = key.value(in: resolved.settings).description
            let fabric = key.value(in: .fabric).description
            rows.append([key.name, value.isEmpty ? "\"\"" : value, resolved.source(of: key.name).description,
                         fabric == value ? "same" : (fabric.isEmpty ? "\"\"" : fabric)])
        }
        return Console.table(rows)
    }
}
