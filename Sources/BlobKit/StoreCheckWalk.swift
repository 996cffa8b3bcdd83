import BlobProtocol
import EventCore
#if canImport(Glibc)
import Glibc
#endif

/// One pass of a `StoreCheck` over the tree: each level of Soledad's
/// layout (`{user}/{namespace}/{id[0:1]}/{id[0:3]}/{id[0:6]}/`) accepts
/// only the names that belong there, and each leaf directory is judged as
/// a whole (a tombstone or flags file is debris only next to, or without,
/// its blob). A directory that is not in the layout is reported, not entered.
struct StoreCheckWalk {
    let check: StoreCheck
    let now: Double
    private(set) var blobs = 0
    private(set) var findings: [StoreFinding] = []
    /// Bytes of the live blobs of the user being walked (for its ledger).
    private var userBytes = 0

    init(check: StoreCheck, now: Double) {
        self.check = check
        self.now = now
    }

    private enum FileType { case directory, regular, other }

    mutating func walkRoot() throws(StoreError) {
        for (name, type) in try entries(of: "") {
            if type == .directory && BlobName.isValid(name) {
                userBytes = 0
                var hasLedger = false
                for (namespace, nsType) in try entries(of: name) {
                    let path = name + "/" + namespace
                    if namespace == UsageLedger.fileName && nsType == .regular { hasLedger = true; continue }
                    guard nsType == .directory && BlobName.isValid(namespace) else { unknown(path, "not a namespace directory"); continue }
                    try walkPrefixes(path, level: 0, parent: "")
                }
                if hasLedger { try checkLedger(of: name) }
            } else if type == .regular, let temporary = TemporaryName(root: name) {
                found(temporary, at: name)
            } else {
                unknown(name, "not a user directory")
            }
        }
    }

    /// Lengths of the three prefix levels: `{id[0:1]}/{id[0:3]}/{id[0:6]}`.
    private static let prefixLengths = [1, 3, 6]

    /// Prefix level `level` (0...2), below the prefix `parent` of the level above.
    private mutating func walkPrefixes(_ path: String, level: Int, parent: String) throws(StoreError) {
        for (name, type) in try entries(of: path) {
            let child = path + "/" + name
            guard type == .directory && Self.isPrefix(name, level: level, parent: parent) else {
                unknown(child, "not a prefix directory of the layout")
                continue
            }
            if level < 2 { try walkPrefixes(child, level: level + 1, parent: name) } else { try walkLeaf(child, prefix: name) }
        }
    }

    /// An id's first `prefixLengths[level]` characters, extending `parent`;
    /// an id shorter than that is its own prefix (`xy` is at `x/xy/xy`).
    private static func isPrefix(_ name: String, level: Int, parent: String) -> Bool {
        guard BlobName.isValid(name), name.count <= prefixLengths[level], name.hasPrefix(parent) else { return false }
        let parentLength = level == 0 ? 0 : prefixLengths[level - 1]
        // An id exactly as long as the level above is its own prefix too (`a` is at `a/a/a`).
        return parent.count == parentLength ? name.count > parent.count || name == parent : name == parent
    }

    /// A `{id[0:6]}` directory: blobs, their flags and tombstones, temporaries.
    private mutating func walkLeaf(_ path: String, prefix: String) throws(StoreError) {
        var live: Set<String> = []
        var flags: [String] = []
        var tombstones: [String] = []
        let belongs = { (id: String) in BlobName.isValid(id) && id.prefix(6) == prefix }
        for (name, type) in try entries(of: path) {
            let child = path + "/" + name
            guard type == .regular else { unknown(child, type == .directory ? "a directory inside a leaf" : "not a regular file"); continue }
            if belongs(name) {
                live.insert(name)
            } else if name.hasSuffix(".flags"), belongs(String(name.dropLast(6))) {
                flags.append(String(name.dropLast(6)))
            } else if name.hasSuffix(".deleted"), belongs(String(name.dropLast(8))) {
                tombstones.append(String(name.dropLast(8)))
            } else if let temporary = TemporaryName(leaf: name), belongs(temporary.id ?? "") {
                found(temporary, at: child)
            } else {
                unknown(child, "not a name of the layout, or not under its id's prefixes")
            }
        }
        blobs += live.count
        for id in live {
            var info = stat()
            if lstat(check.root + "/" + path + "/" + id, &info) == 0 { userBytes += Int(info.st_size) }
        }
        let directory = check.root + "/" + path
        for id in flags where !live.contains(id) {
            resolve(.flagsWithoutBlob, path + "/" + id + ".flags", "no blob \(id)") { !BlobStore.exists(directory + "/" + id) }
        }
        for id in tombstones where live.contains(id) {
            resolve(.tombstoneWithBlob, path + "/" + id + ".deleted", "blob \(id) is live: the tombstone goes") {
                BlobStore.exists(directory + "/" + id)
            }
        }
    }

    // MARK: findings

    /// The quota's ledger of `user` (UsageLedger) against the bytes just
    /// walked. An empty one is fine (the next quota check walks); one that
    /// is pending (its writer died), unreadable, or settled on another
    /// total is reported, and repair empties it under its lock, so the
    /// next quota check walks and writes the truth.
    private mutating func checkLedger(of user: String) throws(StoreError) {
        let path = user + "/" + UsageLedger.fileName
        guard let ledger = try UsageLedger.open(root: check.root, user: user, create: false) else { return }
        defer { ledger.close() }
        try ledger.lock(check.repair ? LOCK_EX : LOCK_SH)
        let detail: String
        switch try ledger.read() {
        case nil:
            var info = stat()
            guard lstat(check.root + "/" + path, &info) == 0, info.st_size > 0 else { return }
            detail = "not a usage record"
        case .some(let record):
            switch record.state {
            case .pending(let delta): detail = "pending \(delta) bytes: its writer died mid-change; blobs hold \(userBytes)"
            case .settled where record.used != userBytes: detail = "says \(record.used) bytes, blobs hold \(userBytes)"
            case .settled: return
            }
        }
        var finding = StoreFinding(kind: .staleUsage, path: path, detail: detail, outcome: .found)
        if check.repair {
            do throws(StoreError) {
                try ledger.clear()
                finding.outcome = .emptied
            } catch {
                finding.outcome = .failed(error.reason)
            }
        }
        findings.append(finding)
    }

    private mutating func found(_ temporary: TemporaryName, at path: String) {
        var info = stat()
        guard lstat(check.root + "/" + path, &info) == 0 else { return }  // finished meanwhile
        let age = now - (Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
        let writer = temporary.writerPID.map { "writer pid \($0)" } ?? "no writer pid"
        let detail = "\(writer), \(Int(age.rounded(.down))) s old"
        if check.repair, age < check.temporaryAge {
            findings.append(StoreFinding(kind: .temporary, path: path, detail: detail, outcome: .kept("younger than \(Int(check.temporaryAge)) s")))
        } else if check.repair, let pid = temporary.writerPID, check.isRunning(pid) {
            findings.append(StoreFinding(kind: .temporary, path: path, detail: detail, outcome: .kept("pid \(pid) is running on this host")))
        } else {
            resolve(.temporary, path, detail) { true }
        }
    }

    private mutating func unknown(_ path: String, _ why: String) {
        findings.append(StoreFinding(kind: .unknown, path: path, detail: why, outcome: check.repair ? .kept("left alone") : .found))
    }

    /// Records a finding; with repair, removes the file if `stillTrue`.
    private mutating func resolve(_ kind: StoreFinding.Kind, _ path: String, _ detail: String, stillTrue: () -> Bool) {
        var finding = StoreFinding(kind: kind, path: path, detail: detail, outcome: .found)
        if check.repair {
            if !stillTrue() {
                finding.outcome = .kept("resolved meanwhile")
            } else if unlink(check.root + "/" + path) == 0 || errno == ENOENT {
                finding.outcome = .removed
            } else {
                finding.outcome = .failed(String(cString: strerror(errno)))
            }
        }
        findings.append(finding)
    }

    // MARK: reading directories

    /// The entries of `root/relative`, sorted by name (a stable report);
    /// a directory removed meanwhile has none.
    private func entries(of relative: String) throws(StoreError) -> [(String, FileType)] {
        let path = relative.isEmpty ? check.root : check.root + "/" + relative
        guard let directory = opendir(path) else {
            if errno == ENOENT && !relative.isEmpty { return [] }
            throw .system(call: "opendir", errno: errno, path: path)
        }
        defer { closedir(directory) }
        var result: [(String, FileType)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            var info = stat()
            guard lstat(path + "/" + name, &info) == 0 else { continue }  // removed meanwhile
            switch info.st_mode & S_IFMT {
            case S_IFDIR: result.append((name, .directory))
            case S_IFREG: result.append((name, .regular))
            default: result.append((name, .other))
            }
        }
        return result.sorted { $0.0 < $1.0 }
    }
}
