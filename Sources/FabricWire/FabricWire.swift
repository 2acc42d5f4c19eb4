/// Fabric's public wire formats, as Hyperledger Fabric's peers, orderers, SDKs and chaincode
/// shims exchange them.
///
/// The messages are generated from the `.proto` files in `Protos/`, which the project wrote from
/// Fabric's public definitions (same proto packages, message names, field numbers and types; only
/// the messages fabnet uses). Swift names follow the proto package: `Common_Envelope`,
/// `Protos_ChaincodeMessage`, `Orderer_SeekInfo`, `Gateway_EndorseRequest`. `make protos`
/// regenerates `Generated/`; `Tests/fabric/check_protos.py` checks the `.proto` files against
/// Hyperledger's own descriptors.
public enum FabricWire {}
