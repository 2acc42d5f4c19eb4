/// A channel's policies: each level from the profile, then the top-level section of the same name
/// (`Orderer`, `Application`), then `ChannelPolicies`' defaults. A level that writes no
/// `Policies` gets all its defaults quietly (a minimal description stays warning-free); an
/// application level that writes `Policies` without `Endorsement` (or `LifecycleEndorsement`)
/// gets `MAJORITY Endorsement` with a warning, as chaincode endorsement needs it.
extension NetworkResolver {
    func policies(of profile: ConfigTxProfile, document: ConfigTxDocument, channel: String) -> ChannelPolicies {
        let channelLevel = profile.policies ?? ChannelPolicies.defaultChannel
        let orderer = profile.orderer?.policies ?? document.orderer?.policies ?? ChannelPolicies.defaultOrderer
        guard let written = profile.application?.policies ?? document.application?.policies else {
            return ChannelPolicies(channel: channelLevel, orderer: orderer, application: ChannelPolicies.defaultApplication)
        }
        var application = written
        let missing = ChannelPolicies.applicationEndorsementDefaults.keys.sorted().filter { application[$0] == nil }
        if !missing.isEmpty {
            for name in missing { application[name] = ChannelPolicies.applicationEndorsementDefaults[name] }
            let section = profile.application?.policies != nil ? profile.application?.location : document.application?.location
            diagnostics.warning("channel \(channel): Application has no \(missing.joined(separator: " or ")) policy, defaulting to ImplicitMeta MAJORITY Endorsement, as fabric-samples has",
                                at: section ?? profile.location, key: "Profiles.\(profile.name).Application.Policies",
                                hint: "add under Application.Policies: Endorsement: {Type: ImplicitMeta, Rule: \"MAJORITY Endorsement\"} (and LifecycleEndorsement likewise)")
        }
        return ChannelPolicies(channel: channelLevel, orderer: orderer, application: application)
    }
}
