import FabnetModel

/// The channels `fabnet up` creates: fabnet's `Channels` list, else one channel `mychannel` made
/// from the first profile that has an `Application` section. Members are the profile's
/// application orgs; batch settings come from its `Orderer` section, then the top-level
/// `Orderer`, then configtxgen's defaults; policies likewise (`channelPolicies`).
extension NetworkResolver {
    func channels(_ document: ConfigTxDocument, specs: [OrganizationSpec], orgs: [ConfigTxOrganization]) -> [ChannelSpec] {
        var wanted = document.channels
        if wanted.isEmpty {
            guard let profile = document.profiles.first(where: { $0.application != nil }) else {
                diagnostics.error("no profile has an Application section, so there is no channel to create", at: document.location, key: "Profiles",
                                  hint: "add a profile with Orderer and Application sections, as in configtx/configtx.yaml")
                return []
            }
            wanted = [ConfigTxChannel(name: Self.defaultChannelName, profile: profile.name, location: profile.location, path: "Profiles.\(profile.name)")]
        }
        var result: [ChannelSpec] = []
        var names = Set<String>()
        for channel in wanted {
            guard ChannelName.isValid(channel.name) else {
                diagnostics.error("'\(channel.name)' is not a valid channel name", at: channel.location, key: "\(channel.path).Name",
                                  hint: "use lower-case letters, digits, '.' and '-', starting with a letter (at most 249 characters)")
                continue
            }
            guard names.insert(channel.name).inserted else {
                diagnostics.error("channel \(channel.name) is listed twice", at: channel.location, key: channel.path)
                continue
            }
            guard let profile = document.profiles.first(where: { $0.name == channel.profile }) else {
                let known = document.profiles.map(\.name).joined(separator: ", ")
                diagnostics.error("channel \(channel.name) names profile '\(channel.profile)', which is not under Profiles",
                                  at: channel.location, key: "\(channel.path).Profile", hint: "use one of: \(known)")
                continue
            }
            let members = (profile.application?.organizations ?? []).compactMap { reference in
                orgs.first { $0.id == reference.id || (reference.id == nil && ($0.name == reference.name || $0.id == reference.name)) }?.id
            }.filter { id in specs.contains { $0.mspID == id } }
            if members.isEmpty {
                diagnostics.error("channel \(channel.name): profile \(profile.name) lists no application organization",
                                  at: profile.location, key: "Profiles.\(profile.name).Application.Organizations",
                                  hint: "list the member orgs under Application.Organizations, e.g. - *Org1")
            }
            var ordererOrgs = (profile.orderer?.organizations ?? document.orderer?.organizations ?? []).compactMap { reference in
                orgs.first { $0.id == reference.id || (reference.id == nil && ($0.name == reference.name || $0.id == reference.name)) }?.id
            }
            if ordererOrgs.isEmpty { ordererOrgs = specs.filter { !$0.orderers.isEmpty }.map(\.mspID) }
            let section = profile.orderer
            let defaults = document.orderer
            let fabric = BatchParameters.fabricDefaults
            var batch = BatchParameters(
                batchTimeout: section?.batchTimeout ?? defaults?.batchTimeout ?? fabric.batchTimeout,
                maxMessageCount: section?.maxMessageCount ?? defaults?.maxMessageCount ?? fabric.maxMessageCount,
                absoluteMaxBytes: section?.absoluteMaxBytes ?? defaults?.absoluteMaxBytes ?? fabric.absoluteMaxBytes,
                preferredMaxBytes: section?.preferredMaxBytes ?? defaults?.preferredMaxBytes ?? fabric.preferredMaxBytes)
            if batch.preferredMaxBytes > batch.absoluteMaxBytes {
                diagnostics.error("channel \(channel.name): PreferredMaxBytes (\(ByteSize.format(batch.preferredMaxBytes))) is above AbsoluteMaxBytes (\(ByteSize.format(batch.absoluteMaxBytes)))",
                                  at: section?.location ?? profile.location, key: "Profiles.\(profile.name).Orderer.BatchSize",
                                  hint: "set both in the same BatchSize section, PreferredMaxBytes ≤ AbsoluteMaxBytes")
                batch.preferredMaxBytes = batch.absoluteMaxBytes
            }
            let capabilities = ChannelCapabilities(
                channel: profile.capabilities ?? [],
                orderer: profile.orderer?.capabilities ?? document.orderer?.capabilities ?? [],
                application: profile.application?.capabilities ?? document.application?.capabilities ?? [])
            result.append(ChannelSpec(name: channel.name, profile: profile.name, memberOrgs: members, ordererOrgs: ordererOrgs,
                                      batch: batch, capabilities: capabilities,
                                      policies: policies(of: profile, document: document, channel: channel.name)))
        }
        return result
    }
}
