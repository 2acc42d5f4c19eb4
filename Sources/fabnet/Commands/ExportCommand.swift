import ArgumentParser
import FabnetConfig
import Foundation

/// `fabnet export mermaid|dot`: the network's topology as a diagram for documents.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print the network's topology as a Mermaid or Graphviz (dot) diagram.",
        discussion: """
        Orgs are boxes holding their nodes (anchor peers marked), channels are nodes linked to \
        the orderer and to every peer of their member orgs. Reads the description only: no \
        network needs to run.

        Examples:
          fabnet export mermaid > network.mmd
          fabnet export dot -f my/configtx.yaml | dot -Tsvg > network.svg
        """
    )

    /// The diagram languages: Mermaid (renders in GitHub Markdown) and Graphviz dot.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case mermaid, dot
    }

    @Argument(help: "mermaid or dot.") var format: Format
    @OptionGroup var description: NetworkOptions

    func run() throws {
        try Console.reportingErrors {
            let spec = try description.load().spec
            print(format == .mermaid ? TopologyDiagram.mermaid(spec) : TopologyDiagram.dot(spec), terminator: "")
        }
    }
}

/// A network description drawn as text diagrams.
///
/// Guarantees: every org, node and channel of the description appears once, under an
/// identifier made only of ASCII letters, digits and `_`, starting with a letter (valid in
/// Mermaid and dot; node names are host names, unique in a description, and channels and orgs
/// get their own prefixes); every peer is linked to each channel its org is a member of, and the
/// orderer to every channel.
enum TopologyDiagram {
    static func identifier(_ name: String) -> String {
        let safe = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        return safe.first?.isLetter == true ? safe : "n_" + safe
    }

    static func isAnchor(_ node: NodeSpec, of org: OrganizationSpec) -> Bool {
        org.anchorPeers.contains { $0.host == node.commonName && $0.port == node.port }
    }

    static func title(_ org: OrganizationSpec) -> String {
        org.name == org.mspID ? org.name : "\(org.name) (\(org.mspID))"
    }

    static func label(_ node: NodeSpec, of org: OrganizationSpec) -> String {
        "\(node.commonName):\(node.port)" + (isAnchor(node, of: org) ? " (anchor)" : "")
    }

    static func mermaid(_ spec: NetworkSpec) -> String {
        var lines = ["flowchart LR"]
        for org in spec.organizations where !org.nodes.isEmpty {
            lines.append("  subgraph \(identifier("org " + org.mspID))[\"\(title(org))\"]")
            for node in org.nodes { lines.append("    \(identifier(node.commonName))[\"\(label(node, of: org))\"]") }
            lines.append("  end")
        }
        for channel in spec.channels {
            let id = identifier("channel " + channel.name)
            lines.append("  \(id)([\"channel \(channel.name)\"])")
            for orderer in spec.orderers { lines.append("  \(identifier(orderer.commonName)) --- \(id)") }
            for peer in spec.peers where channel.memberOrgs.contains(peer.mspID) { lines.append("  \(identifier(peer.commonName)) --- \(id)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func dot(_ spec: NetworkSpec) -> String {
        var lines = ["graph fabnet {", "  rankdir=LR;", "  node [shape=box, fontname=\"Helvetica\"];"]
        for org in spec.organizations where !org.nodes.isEmpty {
            lines.append("  subgraph cluster_\(identifier(org.mspID)) {")
            lines.append("    label=\"\(title(org))\";")
            for node in org.nodes { lines.append("    \(identifier(node.commonName)) [label=\"\(label(node, of: org))\"];") }
            lines.append("  }")
        }
        for channel in spec.channels {
            let id = identifier("channel " + channel.name)
            lines.append("  \(id) [shape=ellipse, label=\"channel \(channel.name)\"];")
            for orderer in spec.orderers { lines.append("  \(identifier(orderer.commonName)) -- \(id);") }
            for peer in spec.peers where channel.memberOrgs.contains(peer.mspID) { lines.append("  \(identifier(peer.commonName)) -- \(id);") }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}
