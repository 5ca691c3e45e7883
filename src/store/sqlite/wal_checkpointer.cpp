#include "store/sqlite/wal_checkpointer.hpp"

#include <sqlite3.h>

#include "common/log.hpp"

namespace hrapp::store::sqlite {

WalCheckpointer::WalCheckpointer(std::string path, std::chrono::milliseconds interval, std::shared_ptr<Turns> writers,
                                 int restart_frames)
    : path_(std::move(path)),
      interval_(interval),
      writers_(std::move(writers)),
      restart_frames_(restart_frames),
      thread_([this] { run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void WalCheckpointer::run() {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    log::error("the write-ahead log cannot be checkpointed", {{"error", std::string_view(db ? sqlite3_errmsg(db) : "out of memory")}});
    sqlite3_close(db);
    return;
  }
  sqlite3_busy_timeout(db, 5000);  // only a restart waits, for readers
  bool warned = false;
  for (bool last = false; !last;) {
    {
      std::unique_lock lock(mutex_);
      last = wake_.wait_for(lock, interval_, [this] { return stopping_; });
    }
    // A connection finds the log in its first read of the file, and checkpoints nothing before:
    // the file may have been empty, or not yet in WAL mode, at the last turn.
    sqlite3_exec(db, "SELECT 1 FROM sqlite_schema LIMIT 1", nullptr, nullptr, nullptr);
    int log_frames = 0;
    int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames, nullptr);
    if (rc == SQLITE_OK && log_frames > restart_frames_) {
      if (const auto turn = writers_->take(std::chrono::seconds(5)))
        rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
    }
    // BUSY: another checkpoint is running, or a reader outlasted the wait; the next turn comes
    // soon. Anything else is said once.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY && !warned) {
      log::warn("write-ahead log checkpoint failed", {{"error", std::string_view(sqlite3_errmsg(db))}});
      warned = true;
    }
  }
  sqlite3_close(db);
}

}  // namespace hrapp::store::sqlite
