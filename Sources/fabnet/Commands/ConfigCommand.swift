import ArgumentParser


/// `fabnet config …`: read and check network descriptions.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a network description and show what it resolves to.",
        discussion: """
        A description is Fabric's configtx.yaml, optionally with cryptogen crypto-config.yaml \
        files (given with --crypto-config, or found beside it as crypto-config*.yaml), or \
        fabnet's single-file form. See the README's "The network description".

        Examples:
          fabnet config validate -f my/configtx.yaml
          fabnet config show
          fabnet config show --gossip --core core.yaml
        """,
        subcommands: [ConfigValidate.self, ConfigShow.self]
    )
}
