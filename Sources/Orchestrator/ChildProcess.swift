import Foundation
import Synchronization

/// A child process started with `posix_spawn` with a clean signal mask and default signal
/// handlers, so SIGTERM reaches it (Foundation's `Process` leaves signals blocked in children).
/// Its standard output and error go to `logFile`. Whoever starts one must `kill` it.
///
/// Kept instead of swift-subprocess (which the CLI tests and `bench crypto` use for commands
/// that run to completion): a node that `fabnet up -d` or `fabnet start` spawns must outlive
/// the command, in its own process group, with its output appended to its log file and no
/// pipe back to the parent; swift-subprocess ties a child's life to the `run` call that
/// started it (it is reaped and its pipes read within that call).
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    public let logFile: URL
    private let lock = NSLock()
    private var exitStatus: Int32?
    private var detached = false

    /// `newProcessGroup`: the child leads its own process group, so a Ctrl-C at the terminal
    /// reaches only its parent (which stops it gracefully) and it can outlive the parent.
    /// `truncateLog: false` appends to an existing log (a restarted node keeps its history).
    /// `environment`: variables set in the child's environment beside this process's own.
    public init(executable: String, arguments: [String], logFile: URL, newProcessGroup: Bool = false, truncateLog: Bool = true,
                environment: [String: String] = [:]) throws {
        self.logFile = logFile
        if truncateLog || !FileManager.default.fileExists(atPath: logFile.path) {
            FileManager.default.createFile(atPath: logFile.path, contents: nil)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, logFile.path, O_WRONLY | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        // Nothing else is inherited: a pipe of our own caller left open in the child would keep
        // that caller waiting for its end long after we exit (nodes outlive `fabnet start`).
        Self.closeFrom(3, in: &actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if newProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.isEmpty ? nil
            : ProcessInfo.processInfo.environment.merging(environment) { _, added in added }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp?.forEach { free($0) } }
        pid = try SpawnGate.spawn {
            var child: pid_t = 0
            let status = envp.map { envp in envp.withUnsafeBufferPointer { posix_spawn(&child, executable, &actions, &attributes, argv, UnsafeMutablePointer(mutating: $0.baseAddress)) } }
                ?? posix_spawn(&child, executable, &actions, &attributes, argv, environ)
            guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EINVAL) }
            return child
        }
    }

    /// Adds "close every descriptor from `lowest` on" to `actions` (glibc 2.34+'s
    /// `posix_spawn_file_actions_addclosefrom_np`, which Swift's Glibc module does not export).
    private static func closeFrom(_ lowest: Int32, in actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, lowest)
    }

    /// Sends `signal` (SIGTERM, SIGKILL, …) if the process still runs.
    public func kill(_ signal: Int32 = SIGKILL) {
        if !hasExited { _ = Foundation.kill(pid, signal) }
    }

    /// Reaps the child if it has exited; returns whether it has.
    public var hasExited: Bool {
        lock.lock()
        defer { lock.unlock() }
        if exitStatus != nil { return true }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { exitStatus = status; return true }
        if result < 0, errno == ECHILD { exitStatus = -1; return true }
        return false
    }

    /// The raw wait status once exited (`nil` while running).
    public var status: Int32? { _ = hasExited; lock.lock(); defer { lock.unlock() }; return exitStatus }

    /// Exit code if it exited normally.
    public var exitCode: Int32? {
        guard let status else { return nil }
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : nil
    }

    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Kills the process and waits for it to be reaped (blocking; it dies at once on SIGKILL).
    public func killAndReap() {
        lock.lock()
        defer { lock.unlock() }
        guard exitStatus == nil else { return }
        _ = Foundation.kill(pid, SIGKILL)
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, 0)
            if result == pid { exitStatus = status; return }
            if result < 0, errno != EINTR { exitStatus = -1; return }  // ECHILD: reaped elsewhere
        }
    }

    /// Lets the process outlive this object (and its parent): `deinit` no longer kills it, and
    /// whoever keeps its pid must stop it (`fabnet down` does, from network.json).
    public func detach() {
        lock.withLock { detached = true }
    }

    deinit { if !detached { killAndReap() } }
}

/// Polls `condition` until it is true, failing with `DeadlineExceeded` after `seconds`.
/// The way tests wait for something another process does.
public func eventually(seconds: Double = 10, _ what: String, _ condition: @escaping @Sendable () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now.advanced(by: .seconds(seconds))
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20)) // poll interval of a condition wait
    }
    throw DeadlineExceeded(seconds: seconds, what: what)
}
