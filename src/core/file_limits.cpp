#include "core/file_limits.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace digitrain {

namespace {

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path, uint64_t max_bytes) {
  // O_NONBLOCK: opening a FIFO without it waits for a writer, forever if none comes. It
  // changes nothing for a regular file, the only kind read below.
  const Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) throw Error("cannot open " + path + ": " + std::strerror(errno));
  struct stat info;
  if (::fstat(fd.get(), &info) != 0) throw Error("cannot read " + path + ": " + std::strerror(errno));
  if (!S_ISREG(info.st_mode)) {
    const char* kind = kind_of(info.st_mode);
    throw Error(path + ": " + kind + (std::strcmp(kind, "not a regular file") == 0 ? "" : ", not a regular file"));
  }
  const uint64_t size = static_cast<uint64_t>(info.st_size);
  if (size > max_bytes)
    throw Error(path + ": " + std::to_string(size) + " bytes, more than this build reads for such a file (" +
                std::to_string(max_bytes) + ")");
  // One spare byte: a file that grew since fstat is noticed, not cut short.
  std::vector<uint8_t> bytes(static_cast<size_t>(size) + 1);
  size_t used = 0;
  for (;;) {
    const ssize_t got = ::read(fd.get(), bytes.data() + used, bytes.size() - used);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw Error("cannot read " + path + ": " + std::strerror(errno));
    if (got == 0) break;
    used += static_cast<size_t>(got);
    if (used == bytes.size()) throw Error("cannot read " + path + ": it grew while being read");
  }
  bytes.resize(used);
  return bytes;
}

}  // namespace digitrain
