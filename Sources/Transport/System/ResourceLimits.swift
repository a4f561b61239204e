import CSystem
import Glibc

/// The process's limit on open file descriptors (`RLIMIT_NOFILE`), which bounds how many
/// connections one process can hold.
public enum ResourceLimits {
    /// The current soft and hard limits.
    ///
    /// The corresponding C function is `getrlimit`.
    public static func openFiles() throws(SystemError) -> (soft: Int, hard: Int) {
        var soft: UInt64 = 0
        var hard: UInt64 = 0
        _ = try Syscall.run("getrlimit") { vigil_get_nofile_limit(&soft, &hard) }
        return (clamp(soft), clamp(hard))
    }

    /// Raises the soft limit to at least `wanted` if the hard limit allows, never lowering it;
    /// returns the soft limit in force afterwards, which is below `wanted` when the hard limit is.
    ///
    /// The corresponding C function is `setrlimit`.
    @discardableResult
    public static func raiseOpenFiles(toAtLeast wanted: Int) throws(SystemError) -> Int {
        let (soft, hard) = try openFiles()
        guard soft < wanted else { return soft }
        let target = min(wanted, hard)
        guard target > soft else { return soft }
        _ = try Syscall.run("setrlimit") { vigil_set_nofile_limit(UInt64(target), UInt64(hard)) }
        return target
    }

    private static func clamp(_ value: UInt64) -> Int {
        value > UInt64(Int.max) ? Int.max : Int(value)
    }
}
