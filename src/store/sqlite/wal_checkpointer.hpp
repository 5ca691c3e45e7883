#pragma once
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/turns.hpp"

namespace hrapp::store::sqlite {

/// Copies the write-ahead log of the database at `path` into the database file every `interval`,
/// on a thread and a connection of its own, for connections opened without checkpoints of their
/// own (see open()). SQLite otherwise checkpoints in whichever connection's commit takes the log
/// past 1,000 pages, and that request waits for the copy and its fsync. A checkpoint here is
/// PASSIVE: it never waits for, nor holds up, a reader or a writer.
///
/// Under steady writes the log never starts over, as some reader always holds a snapshot in it
/// (1 GB in 10 s of creates): past `restart_frames` pages, the checkpointer takes a turn of
/// `writers` (which then wait for it) and for up to 200 ms waits for the readers, copies the
/// rest and has the next write start the log over (RESTART; the connections'
/// journal_size_limit then cuts the file back to 64 MiB). If the file cannot be opened yet, it
/// tries again at each turn.
class WalCheckpointer {
 public:
  WalCheckpointer(std::string path, std::chrono::milliseconds interval, std::shared_ptr<Turns> writers,
                  int restart_frames = 16384);
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;
  /// Stops after one last checkpoint.
  ~WalCheckpointer();

 private:
  void run();

  const std::string path_;
  const std::chrono::milliseconds interval_;
  const std::shared_ptr<Turns> writers_;
  const int restart_frames_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hrapp::store::sqlite
