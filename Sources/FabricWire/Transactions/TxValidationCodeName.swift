extension Protos_TxValidationCode {
    /// The code's name as Fabric writes it (`VALID`, `MVCC_READ_CONFLICT`, …): in logs, in the
    /// `validation_code` label of `ledger_transaction_count`. An unknown value is its number.
    public var fabricName: String {
        if case .UNRECOGNIZED(let value) = self { return "\(value)" }
        return fabricEnumName(String(describing: self))
    }
}

extension Common_HeaderType {
    /// The type's name as Fabric writes it (`ENDORSER_TRANSACTION`, `CONFIG`, …).
    public var fabricName: String {
        if case .UNRECOGNIZED(let value) = self { return "\(value)" }
        return fabricEnumName(String(describing: self))
    }
}

/// A generated Swift case name (`mvccReadConflict`) as the `.proto` value name
/// (`MVCC_READ_CONFLICT`): swift-protobuf keeps its enum name tables internal.
private func fabricEnumName(_ caseName: String) -> String {
    var name = ""
    for character in caseName {
        if character.isUppercase { name.append("_") }
        name.append(contentsOf: character.uppercased())
    }
    return name
}
