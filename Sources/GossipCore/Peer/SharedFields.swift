/// An immutable value kept behind one reference, so that copies of the struct holding it share
/// one allocation instead of repeating the fields inline (alive messages and state infos: a
/// peer holds one per member in several tables, and the simulator hands one message to many
/// peers). Guarantees: the value never changes after creation, so sharing it is safe.
final class SharedFields<Value: Sendable>: Sendable {
    let value: Value

    init(_ value: Value) { self.value = value }
}
