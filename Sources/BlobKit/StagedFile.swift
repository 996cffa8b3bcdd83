/// The temporary file one writer fills: unnamed (nothing to remove if the
/// process dies) or named (removed on abort, else by the sweep).
enum StagedFile {
    case unnamed(directory: String)
    case named(path: String)

    /// For the operator's log.
    var description: String {
        switch self {
        case .unnamed(let directory): return directory + "/(unnamed O_TMPFILE)"
        case .named(let path): return path
        }
    }
}
