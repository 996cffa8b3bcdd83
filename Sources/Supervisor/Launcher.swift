import CShims
import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// Starts the sibling executables (`blob-server`, `blob-balancer`) with
/// posix_spawn: never fork without exec in a Swift process. Standard input
/// of each child is the descriptor given (a lifeline or control pipe);
/// stdout and stderr are the supervisor's; descriptor 3 is the shared front
/// socket when one is given, and nothing else crosses.
struct Launcher {
    /// The folder of the running `blob-cluster`, where its siblings live.
    let directory: String

    init() {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let path = count > 0 ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "./blob-cluster"
        directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
    }

    /// The descriptor a child finds the shared front socket on (`--listen-fd`).
    static let sharedSocketFD: Int32 = 3

    /// Spawns `directory/executable` with `arguments`; its stdin is `stdinFD`
    /// and, if given, its descriptor 3 is `sharedFD`.
    func spawn(_ executable: String, _ arguments: [String], stdinFD: Int32, sharedFD: Int32? = nil) throws(SystemError) -> pid_t {
        let path = directory + "/" + executable
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinFD, 0)
        var firstClosed: Int32 = 3
        if let sharedFD {
            // dup2 clears close-on-exec on the copy (also when sharedFD is 3).
            posix_spawn_file_actions_adddup2(&actions, sharedFD, Self.sharedSocketFD)
            firstClosed = Self.sharedSocketFD + 1
        }
        // Nothing else crosses: every other descriptor above stderr is
        // closed in the child, close-on-exec or not (a probe's socket, a pipe end).
        cshims_spawn_close_from(&actions, firstClosed)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Children start with default signal dispositions and an empty mask,
        // whatever libevent did to ours.
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard result == 0 else { throw SystemError(call: "posix_spawn(\(path))", errno: result) }
        return pid
    }
}
