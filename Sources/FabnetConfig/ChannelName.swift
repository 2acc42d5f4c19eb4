/// Fabric's rule for channel names, which also makes them safe as folder names:
/// `[a-z][a-z0-9.-]*`, shorter than 250 characters.
public enum ChannelName {
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLowercase, name.count < 250 else { return false }
        return name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "." || $0 == "-" }
    }
}
