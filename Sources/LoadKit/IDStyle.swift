/// How a run names its blobs. `counter` (a run prefix and a counter) keeps
/// the study's ids; `uuid` makes ids as Soledad's clients do (`uuid4().hex`:
/// 32 lowercase hex digits), so the store's prefix directories (the first 1,
/// 3 and 6 characters) fill as they would in use, which a growth study needs.
public enum IDStyle: String, CaseIterable, Sendable {
    case counter, uuid
}
