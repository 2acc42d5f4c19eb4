/// The NodeOUs `config.yaml` of an MSP folder: every role's OU, each certified by the org's CA
/// certificate, as cryptogen writes it.
enum NodeOUsConfig {
    static func yaml(caCertificateFile: String) -> String {
        let roles = [("Client", "client"), ("Peer", "peer"), ("Admin", "admin"), ("Orderer", "orderer")]
        var text = "NodeOUs:\n  Enable: true\n"
        for (name, ou) in roles {
            text += "  \(name)OUIdentifier:\n    Certificate: cacerts/\(caCertificateFile)\n    OrganizationalUnitIdentifier: \(ou)\n"
        }
        return text
    }
}
