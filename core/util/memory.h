#pragma once
// How much memory this process may still take, and a check that refuses work
// that would not fit with one clear sentence (need, limit, what to change)
// instead of std::bad_alloc or the kernel's OOM killer.
#include <cstdint>
#include <string>

namespace attnscope {

// Bytes this process may still allocate: the smallest of the system's
// MemAvailable, the headroom under RLIMIT_AS and RLIMIT_DATA, and the
// cgroup's memory.max. ATTNSCOPE_MEMORY_LIMIT (bytes) overrides it.
uint64_t available_memory_bytes();

// "3.2 GB", "512 MB".
std::string format_bytes(double bytes);

// Throws attnscope::Error when `need` bytes exceed what is available:
// "<what> needs about X of memory but only Y is available: <hint>".
void require_memory(double need, const std::string& what, const std::string& hint);

}  // namespace attnscope
