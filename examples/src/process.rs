//! What the benchmark binaries report about their own process.

/// The process's peak resident memory as the kernel reports it (`VmHWM` in `/proc/self/status`,
/// e.g. `"478 kB"`), or `"unknown"` where there is no such file (not Linux).
pub fn peak_resident() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "unknown".into())
}
