// Mutex: std::mutex with clang thread-safety annotations, so that -Wthread-safety can prove
// that every GUARDED_BY member is touched only under its lock. Other compilers ignore them.
#pragma once

#include <mutex>

#if defined(__clang__)
#define SOKET_TSA(x) __attribute__((x))
#else
#define SOKET_TSA(x)
#endif
#define CAPABILITY(x) SOKET_TSA(capability(x))
#define SCOPED_CAPABILITY SOKET_TSA(scoped_lockable)
#define GUARDED_BY(x) SOKET_TSA(guarded_by(x))
#define ACQUIRE(...) SOKET_TSA(acquire_capability(__VA_ARGS__))
#define RELEASE(...) SOKET_TSA(release_capability(__VA_ARGS__))

namespace soket {

class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE() { mutex_.lock(); }
  void unlock() RELEASE() { mutex_.unlock(); }

 private:
  std::mutex mutex_;
};

class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) ACQUIRE(mutex) : mutex_(mutex) { mutex_.lock(); }
  ~MutexLock() RELEASE() { mutex_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mutex_;
};

}  // namespace soket
